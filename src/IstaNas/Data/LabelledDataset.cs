using System.Globalization;
using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// A labelled data set of N samples of one shape, one class label each in [0, <see cref="ClassCount"/>): what
/// <see cref="BatchLoader"/>, the search strategies and the evaluation trainer read. Two kinds derive from it:
/// <see cref="ImageDataset"/> (bytes per pixel, normalised and augmented as images when batched) and
/// <see cref="TensorDataset"/> (float32 values used as given: 1-D signals [C, T], tabular rows [F], images [C, H, W]).
/// <para>
/// Splitting, subsets and the loader's per-epoch order depend only on the sample count, the portion and the seeds, never
/// on the kind: an image set and a tensor set of the same count split and batch into the same index order.
/// </para>
/// <para>Instances are immutable; <see cref="Subset"/> and <see cref="Split(double)"/> return views that share the samples.</para>
/// </summary>
public abstract class LabelledDataset
{
    private readonly int[] _labels;
    private readonly string[] _classNames;
    private readonly int[] _sampleShape;

    /// <summary>Initialises the shared state; <paramref name="labels"/> is taken over, not copied.</summary>
    /// <param name="name">Human-readable name.</param>
    /// <param name="labels">One label per sample, each in [0, <paramref name="classCount"/>); the array is taken over.</param>
    /// <param name="classCount">Number of classes (at least 1).</param>
    /// <param name="classNames">One name per class; null names the classes "0", "1", … .</param>
    /// <param name="sampleShape">The shape of one sample, every dimension at least 1.</param>
    /// <param name="sampleNoun">What one sample is called in messages ("image", "sample").</param>
    /// <exception cref="ArgumentException">A label, class name or dimension is invalid (the message says which).</exception>
    private protected LabelledDataset(string name, int[] labels, int classCount, IReadOnlyList<string>? classNames, int[] sampleShape, string sampleNoun)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (sampleShape.Length == 0 || Array.Exists(sampleShape, d => d < 1))
            throw new ArgumentException($"A sample's shape must have at least one dimension, each at least 1; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Label {labels[i]} of {sampleNoun} {i} is outside [0, {classCount}).", nameof(labels));
        }

        if (classNames is not null)
        {
            if (classNames.Count != classCount)
                throw new ArgumentException($"{classNames.Count} class names were given for {classCount} classes.", nameof(classNames));
            for (int k = 0; k < classNames.Count; k++)
            {
                if (classNames[k] is null)
                    throw new ArgumentException($"Class name {k} is null.", nameof(classNames));
            }
        }

        Name = name;
        _labels = labels;
        ClassCount = classCount;
        _classNames = classNames?.ToArray() ?? DefaultClassNames(classCount);
        _sampleShape = sampleShape;
    }

    /// <summary>Human-readable name.</summary>
    public string Name { get; }

    /// <summary>N, the number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>Number of classes; labels are in [0, ClassCount).</summary>
    public int ClassCount { get; }

    /// <summary>The name of each class, indexed by label ("0", "1", … when the data carry none).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>All labels, in sample order.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>The shape of one sample as the network receives it: [C, H, W] for images, [C, T] for signals, [F] for rows.</summary>
    public IReadOnlyList<int> SampleShape => _sampleShape;

    /// <summary>Whether reading a sample is expensive (decoding a file); the loader then reads batches ahead on worker threads.</summary>
    public virtual bool DecodesOnDemand => false;

    /// <summary>Number of values in one sample (the product of <see cref="SampleShape"/>).</summary>
    internal int SampleSize => _sampleShape.Aggregate(1, (a, d) => a * d);

    /// <summary>
    /// The samples at <paramref name="indices"/> (in that order, repeats allowed), with the same classes. The result is a
    /// view: it shares this data set's samples and copies only the index list and the labels.
    /// </summary>
    /// <param name="indices">Indices into this data set.</param>
    /// <param name="name">Name of the subset; defaults to this name with a suffix.</param>
    /// <returns>The subset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public abstract LabelledDataset Subset(IReadOnlyList<int> indices, string? name = null);

    /// <summary>
    /// Splits into two parts the way the ISTA-NAS/DARTS authors do: the first ⌊portion·N⌋ samples (in stored order)
    /// form the first part (named "…-train"), the rest the second ("…-valid"). Deterministic; both parts are views.
    /// </summary>
    /// <param name="portion">Fraction in [0, 1] that goes to the first part.</param>
    /// <returns>The two parts.</returns>
    public (LabelledDataset First, LabelledDataset Second) Split(double portion)
    {
        (int[] first, int[] second) = SplitOrder(Count, portion, null);
        return (Subset(first, $"{Name}-train"), Subset(second, $"{Name}-valid"));
    }

    /// <summary>
    /// Splits into two parts after a seeded random permutation of the indices: the first ⌊portion·N⌋ permuted samples
    /// form the first part. The same seed always gives the same split. Both parts are views.
    /// </summary>
    /// <param name="portion">Fraction in [0, 1] that goes to the first part.</param>
    /// <param name="seed">Seed of the permutation.</param>
    /// <returns>The two parts.</returns>
    public (LabelledDataset First, LabelledDataset Second) Split(double portion, int seed)
    {
        (int[] first, int[] second) = SplitOrder(Count, portion, seed);
        return (Subset(first, $"{Name}-train"), Subset(second, $"{Name}-valid"));
    }

    /// <summary>"0", "1", …, "k−1".</summary>
    internal static string[] DefaultClassNames(int classCount) =>
        Enumerable.Range(0, classCount).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The indices of the two parts of a split of <paramref name="count"/> samples (seeded permutation when a seed is given).</summary>
    internal static (int[] First, int[] Second) SplitOrder(int count, double portion, int? seed)
    {
        if (!(portion >= 0.0 && portion <= 1.0))
            throw new ArgumentOutOfRangeException(nameof(portion), portion, "Portion must be in [0, 1].");
        int cut = (int)Math.Floor(portion * count);
        int[] order = Enumerable.Range(0, count).ToArray();
        if (seed is int s)
            DeterministicRandom.FromKeys(s, 0x5B117).Shuffle<int>(order);
        return (order[..cut], order[cut..]);
    }

    /// <summary>Checks a list of indices and copies it.</summary>
    internal int[] CheckedIndices(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var map = new int[indices.Count];
        for (int i = 0; i < map.Length; i++)
        {
            int src = indices[i];
            if ((uint)src >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {src} at position {i} is outside [0, {Count}).");
            map[i] = src;
        }

        return map;
    }

    internal int LabelAt(int index) => _labels[index];

    /// <summary>The stored bytes of sample <paramref name="index"/> (pixels, or float32 values), for content fingerprints.</summary>
    internal abstract ReadOnlySpan<byte> SampleBytes(int index);

    /// <summary>Reads the samples of one batch into memory, on up to <paramref name="threads"/> threads; no tensors (thread-safe).</summary>
    internal abstract RawBatch ReadBatch(int[] samples, int threads, CancellationToken cancellationToken);

    /// <summary>
    /// The float32 inputs [B, …SampleShape] of a batch read by <see cref="ReadBatch"/>, on <paramref name="device"/>;
    /// images are normalised and augmented by <paramref name="augmentation"/>. The caller owns the tensor.
    /// </summary>
    internal abstract torch.Tensor ToInputs(RawBatch raw, AugmentationPipeline augmentation, DeterministicRandom random, torch.Device device);

    /// <summary>Labels of <paramref name="samples"/> as int64 values.</summary>
    internal long[] LabelValues(int[] samples)
    {
        var values = new long[samples.Length];
        for (int i = 0; i < samples.Length; i++)
            values[i] = _labels[samples[i]];
        return values;
    }
}
