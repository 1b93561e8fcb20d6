using IstaNas.Validation;
using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// Produces mini-batches of float32 inputs and int64 labels from a <see cref="LabelledDataset"/>: normalised (optionally
/// augmented) images from an <see cref="ImageDataset"/>, the values as given from a <see cref="TensorDataset"/>.
/// <para>
/// Reproducibility: the sample order of epoch <c>e</c> depends only on (<see cref="BatchLoaderOptions.Seed"/>, e), and
/// the augmentation of batch <c>k</c> of epoch <c>e</c> uses a <see cref="DeterministicRandom"/> derived only from
/// (seed, e, k). The loader itself has no mutable state, so the "RNG state" needed to resume is just the position
/// (epoch, next batch index): <see cref="GetEpoch"/> accepts a starting batch and replays exactly what an
/// uninterrupted run would have produced.
/// </para>
/// <para>
/// Ownership: every <see cref="Batch"/> yielded is owned by the consumer, who must dispose it; the loader keeps no
/// reference to it and creates no other long-lived tensors.
/// </para>
/// <para>
/// Data larger than memory: for a data set that <see cref="LabelledDataset.DecodesOnDemand"/> (an image
/// folder read lazily by the IstaNas.Formats package), <see cref="GetEpoch"/> reads the next
/// <see cref="BatchLoaderOptions.PrefetchBatches"/> batches on worker threads while the consumer works on the current
/// one; only those batches' bytes are held. Prefetching changes when images are read, never what a batch holds: the
/// batches are bit-identical with and without it. A file that fails to decode surfaces as an exception from the
/// enumeration, on the consumer's thread, naming the file; disposing the enumerator (leaving the <c>foreach</c>) stops
/// and waits for the work under way.
/// </para>
/// </summary>
internal sealed class BatchLoader
{
    private const long OrderSalt = 0x0DE7;
    private const long AugmentSalt = 0xA6A6;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The data set to read.</param>
    /// <param name="options">Batch size, shuffle, seed, drop-last, augmentation, device; null for defaults.</param>
    /// <exception cref="ArgumentException">An augmentation was given for data that are not images.</exception>
    public BatchLoader(LabelledDataset dataset, BatchLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new BatchLoaderOptions();
        OptionsValidation.ValidateArgument(options, (f, message) => new ArgumentOutOfRangeException(nameof(options), f.Value, message));
        if (dataset is not ImageDataset && options.Augmentation is { IsNone: false })
        {
            throw new ArgumentException($"The data set '{dataset.Name}' holds tensors, not images: augmentation applies to images only.", nameof(options));
        }

        Dataset = dataset;
        Options = options;
    }

    /// <summary>The data set read.</summary>
    public LabelledDataset Dataset { get; }

    /// <summary>The settings.</summary>
    public BatchLoaderOptions Options { get; }

    /// <summary>
    /// Batches read ahead by <see cref="GetEpoch"/>: <see cref="BatchLoaderOptions.PrefetchBatches"/>, or when that is null
    /// 2 for a data set that decodes on demand and 0 (read when asked for) for an in-memory one.
    /// </summary>
    public int PrefetchBatches => Options.PrefetchBatches ?? (Dataset.DecodesOnDemand ? 2 : 0);

    /// <summary>
    /// Threads that read the images of one batch: <see cref="BatchLoaderOptions.DecodeThreads"/>, or when that is null
    /// the processor count (at most 8) for a data set that decodes on demand and 1 for an in-memory one.
    /// </summary>
    public int DecodeThreads => Options.DecodeThreads ?? (Dataset.DecodesOnDemand ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1);

    /// <summary>Number of batches in each epoch (respecting <see cref="BatchLoaderOptions.DropLast"/>).</summary>
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
        int depth = PrefetchBatches;
        if (depth == 0)
        {
            for (int k = startBatch; k < batches; k++)
            {
                yield return CreateBatch(order, epoch, k);
            }

            yield break;
        }

        using var prefetcher = new BatchPrefetcher((k, token) => ReadBatch(order, k, token), startBatch, batches, depth);
        for (int k = startBatch; k < batches; k++)
        {
            yield return ToBatch(prefetcher.Take(k), epoch, k);
        }
    }

    private Batch CreateBatch(int[] order, int epoch, int batchIndex) =>
        ToBatch(ReadBatch(order, batchIndex, CancellationToken.None), epoch, batchIndex);

    /// <summary>The bytes and labels of one batch; thread-safe, no tensors.</summary>
    private RawBatch ReadBatch(int[] order, int batchIndex, CancellationToken cancellationToken)
    {
        int start = batchIndex * Options.BatchSize;
        int length = Math.Min(Options.BatchSize, order.Length - start);
        int[] samples = order[start..(start + length)];
        return Dataset.ReadBatch(samples, DecodeThreads, cancellationToken);
    }

    private Batch ToBatch(RawBatch raw, int epoch, int batchIndex)
    {
        var device = Options.Device ?? torch.CPU;
        using var scope = torch.NewDisposeScope();
        var inputs = Dataset.ToInputs(raw, Options.Augmentation ?? AugmentationPipeline.None, AugmentationRandom(epoch, batchIndex), device);
        var labels = torch.tensor(raw.Labels, torch.int64).to(device);
        inputs.DetachFromDisposeScope();
        labels.DetachFromDisposeScope();
        return new Batch(inputs, labels, epoch, batchIndex, raw.Samples);
    }
}
