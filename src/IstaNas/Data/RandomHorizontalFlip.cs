using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// Mirrors each image left-right independently with probability <see cref="Probability"/>, batched.
/// One random draw per image, in batch order.
/// </summary>
internal sealed class RandomHorizontalFlip : IBatchTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="probability">Probability of flipping each image, in [0, 1].</param>
    public RandomHorizontalFlip(double probability = 0.5)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Probability must be in [0, 1].");
        }

        Probability = probability;
    }

    /// <summary>Probability of flipping each image.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public torch.Tensor Apply(torch.Tensor images, DeterministicRandom random)
    {
        var (b, _, _, _) = BatchTransforms.Dims(images);
        ArgumentNullException.ThrowIfNull(random);
        var flags = new bool[b];
        for (int i = 0; i < b; i++)
        {
            flags[i] = random.NextDouble() < Probability;
        }

        return Flip(images, flags);
    }

    /// <summary>Flips exactly the images whose flag is set.</summary>
    /// <param name="images">Batch [B, C, H, W].</param>
    /// <param name="flags">One flag per image.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public static torch.Tensor Flip(torch.Tensor images, bool[] flags)
    {
        var (b, _, _, _) = BatchTransforms.Dims(images);
        if (flags.Length != b)
        {
            throw new ArgumentException($"Need one flag per image ({b}), got {flags.Length}.", nameof(flags));
        }

        using var scope = torch.NewDisposeScope();
        var mask = torch.tensor(flags, device: images.device).view(b, 1, 1, 1);
        return torch.where(mask, images.flip(3), images).MoveToOuterDisposeScope();
    }
}
