using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// torchvision's <c>CenterCrop(size)</c>: the central <see cref="Size"/> x <see cref="Size"/> window of every image (the
/// top-left corner at round((H - size) / 2), round((W - size) / 2), as torchvision). The ImageNet test transform after
/// the images were brought to 256 x 256.
/// </summary>
internal sealed class CenterCrop : IBatchTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="size">Side of the window (at least 1).</param>
    public CenterCrop(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    /// <summary>Side of the window.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public torch.Tensor Apply(torch.Tensor images, DeterministicRandom random)
    {
        var (_, _, h, w) = BatchTransforms.Dims(images);
        if (h < Size || w < Size)
            throw new ArgumentException($"A center crop of {Size} x {Size} needs images at least that large, got {h} x {w}.", nameof(images));
        int top = (int)Math.Round((h - Size) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((w - Size) / 2.0, MidpointRounding.ToEven);
        return images.narrow(2, top, Size).narrow(3, left, Size).clone();
    }
}
