using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// Cutout (DeVries and Taylor, 2017) as used by DARTS: per image, one <see cref="Length"/>×<see cref="Length"/> square
/// centred at a uniformly random pixel is set to zero in all channels, clipped at the image borders.
/// The square covers rows [cy − L/2, cy − L/2 + L) ∩ [0, H) (integer division), and likewise for columns.
/// In the standard pipeline it runs after normalisation, so the square is zero in normalised units.
/// Random draws per image, in batch order: centre row, then centre column.
/// </summary>
internal sealed class Cutout : IBatchTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="length">Side of the square (at least 1); 16 for CIFAR.</param>
    public Cutout(int length = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
    }

    /// <summary>Side of the square.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public torch.Tensor Apply(torch.Tensor images, DeterministicRandom random)
    {
        var (b, _, h, w) = BatchTransforms.Dims(images);
        ArgumentNullException.ThrowIfNull(random);
        var rows = new long[b];
        var cols = new long[b];
        for (int i = 0; i < b; i++)
        {
            rows[i] = random.NextInt(h);
            cols[i] = random.NextInt(w);
        }

        return Apply(images, rows, cols, Length);
    }

    /// <summary>Zeroes the square of side <paramref name="length"/> centred at the given pixel of each image.</summary>
    /// <param name="images">Batch [B, C, H, W].</param>
    /// <param name="centreRows">Per-image centre row (may lie anywhere; the square is clipped to the image).</param>
    /// <param name="centreCols">Per-image centre column.</param>
    /// <param name="length">Side of the square.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public static torch.Tensor Apply(torch.Tensor images, long[] centreRows, long[] centreCols, int length)
    {
        var (b, _, h, w) = BatchTransforms.Dims(images);
        if (centreRows.Length != b || centreCols.Length != b)
        {
            throw new ArgumentException($"Need one centre per image ({b}).");
        }

        using var scope = torch.NewDisposeScope();
        var device = images.device;
        var top = torch.tensor(centreRows, device: device).view(b, 1) - length / 2;
        var left = torch.tensor(centreCols, device: device).view(b, 1) - length / 2;
        var r = torch.arange(h, device: device).view(1, h);
        var c = torch.arange(w, device: device).view(1, w);
        var inRows = (r >= top).logical_and(r < top + length).view(b, 1, h, 1);
        var inCols = (c >= left).logical_and(c < left + length).view(b, 1, 1, w);
        var keep = inRows.logical_and(inCols).logical_not().to_type(images.dtype);
        return (images * keep).MoveToOuterDisposeScope();
    }
}
