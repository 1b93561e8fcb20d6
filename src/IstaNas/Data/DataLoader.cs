using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// Produces mini-batches of normalised (optionally augmented) images and int64 labels from an <see cref="ImageDataset"/>.
/// <para>
/// Reproducibility: the sample order of epoch <c>e</c> depends only on (<see cref="DataLoaderOptions.Seed"/>, e), and
/// the augmentation of batch <c>k</c> of epoch <c>e</c> uses a <see cref="DeterministicRandom"/> derived only from
/// (seed, e, k). The loader itself has no mutable state, so the "RNG state" needed to resume is just the position
/// (epoch, next batch index): <see cref="GetEpoch"/> accepts a starting batch and replays exactly what an
/// uninterrupted run would have produced.
/// </para>
/// <para>
/// Ownership: every <see cref="Batch"/> yielded is owned by the consumer, who must dispose it; the loader keeps no
/// reference to it and creates no other long-lived tensors.
/// </para>
/// </summary>
public sealed class DataLoader
{
    private const long OrderSalt = 0x0DE7;
    private const long AugmentSalt = 0xA6A6;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The data set to read.</param>
    /// <param name="options">Batch size, shuffle, seed, drop-last, augmentation, device; null for defaults.</param>
    public DataLoader(ImageDataset dataset, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new DataLoaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        Dataset = dataset;
        Options = options;
    }

    /// <summary>The data set read.</summary>
    public ImageDataset Dataset { get; }

    /// <summary>The settings.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Number of batches in each epoch (respecting <see cref="DataLoaderOptions.DropLast"/>).</summary>
    public int BatchesPerEpoch => Options.DropLast
        ? Dataset.Count / Options.BatchSize
        : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the samples (a permutation of 0..N−1).</summary>
    /// <param name="epoch">Epoch number (any integer).</param>
    /// <returns>A new array of sample indices.</returns>
    public int[] GetEpochOrder(int epoch)
    {
        int[] order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (Options.Shuffle)
        {
            DeterministicRandom.FromKeys(Options.Seed, OrderSalt, epoch).Shuffle<int>(order);
        }

        return order;
    }

    /// <summary>
    /// The augmentation generator of batch <paramref name="batchIndex"/> of epoch <paramref name="epoch"/>.
    /// </summary>
    /// <param name="epoch">Epoch number.</param>
    /// <param name="batchIndex">Batch index within the epoch.</param>
    /// <returns>A fresh generator.</returns>
    public DeterministicRandom AugmentationRandom(int epoch, int batchIndex) =>
        DeterministicRandom.FromKeys(Options.Seed, AugmentSalt, epoch, batchIndex);

    /// <summary>
    /// Enumerates the batches of epoch <paramref name="epoch"/>, starting at batch <paramref name="startBatch"/>
    /// (0 for a whole epoch; a later value to resume mid-epoch). Each batch must be disposed by the consumer.
    /// </summary>
    /// <param name="epoch">Epoch number.</param>
    /// <param name="startBatch">First batch index to produce, in [0, BatchesPerEpoch].</param>
    /// <returns>The batches, lazily created.</returns>
    public IEnumerable<Batch> GetEpoch(int epoch, int startBatch = 0)
    {
        int batches = BatchesPerEpoch;
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startBatch, batches);
        return Enumerate(epoch, startBatch, batches);
    }

    /// <summary>Creates a single batch of epoch <paramref name="epoch"/>; the caller owns and must dispose it.</summary>
    /// <param name="epoch">Epoch number.</param>
    /// <param name="batchIndex">Batch index in [0, BatchesPerEpoch).</param>
    /// <returns>The batch.</returns>
    public Batch GetBatch(int epoch, int batchIndex)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)batchIndex, (uint)BatchesPerEpoch, nameof(batchIndex));
        return CreateBatch(GetEpochOrder(epoch), epoch, batchIndex);
    }

    private IEnumerable<Batch> Enumerate(int epoch, int startBatch, int batches)
    {
        int[] order = GetEpochOrder(epoch);
        for (int k = startBatch; k < batches; k++)
        {
            yield return CreateBatch(order, epoch, k);
        }
    }

    private Batch CreateBatch(int[] order, int epoch, int batchIndex)
    {
        int start = batchIndex * Options.BatchSize;
        int length = Math.Min(Options.BatchSize, order.Length - start);
        int[] samples = order[start..(start + length)];
        var ds = Dataset;
        var buffer = new byte[(long)length * ds.ImageSize];
        ds.CopyImages(samples, 0, length, buffer);
        var labelValues = new long[length];
        for (int i = 0; i < length; i++)
        {
            labelValues[i] = ds.LabelAt(samples[i]);
        }

        var device = Options.Device ?? torch.CPU;
        using var scope = torch.NewDisposeScope();
        var bytes = torch.tensor(buffer, new long[] { length, ds.Channels, ds.Height, ds.Width }, torch.uint8).to(device);
        var pipeline = Options.Augmentation ?? AugmentationPipeline.None;
        var images = pipeline.Apply(bytes, ds.Mean, ds.Std, AugmentationRandom(epoch, batchIndex));
        var labels = torch.tensor(labelValues, torch.int64).to(device);
        images.DetachFromDisposeScope();
        labels.DetachFromDisposeScope();
        return new Batch(images, labels, epoch, batchIndex, samples);
    }
}
