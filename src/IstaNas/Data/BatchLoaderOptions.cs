using System.ComponentModel.DataAnnotations;
using TorchSharp;

namespace IstaNas.Data;

/// <summary>Settings of a <see cref="BatchLoader"/>.</summary>
internal sealed record BatchLoaderOptions
{
    /// <summary>Samples per batch (at least 1).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
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

    /// <summary>
    /// Batches that <see cref="BatchLoader.GetEpoch"/> reads ahead on worker threads while the consumer works (0: read
    /// each batch when it is asked for). At most this many batches of bytes are held besides the one being consumed.
    /// Null (the default) means 2 for data sets that decode images on demand (<see cref="LabelledDataset.DecodesOnDemand"/>)
    /// and 0 for in-memory ones. The batches are the same whatever the setting.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "{0} must be 0 (off) or positive.")]
    public int? PrefetchBatches { get; init; }

    /// <summary>
    /// Threads that read (decode) the images of one batch, at least 1. Null (the default) means the processor count, at
    /// most 8, for data sets that decode images on demand and 1 for in-memory ones. The batches are the same whatever
    /// the setting.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int? DecodeThreads { get; init; }
}
