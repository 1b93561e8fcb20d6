using TorchSharp;

namespace IstaNas.Data;

/// <summary>Settings of a <see cref="DataLoader"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch (at least 1).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Whether each epoch visits the samples in a seeded random order (otherwise in stored order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the per-epoch shuffle and of the augmentation randomness.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to drop the final batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Augmentation pipeline; null means normalisation only.</summary>
    public AugmentationPipeline? Augmentation { get; init; }

    /// <summary>Device of the produced tensors; null means the CPU.</summary>
    public torch.Device? Device { get; init; }
}
