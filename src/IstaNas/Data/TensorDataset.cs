using System.Runtime.InteropServices;
using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// A labelled data set held as float32 values in memory, of any sample shape: 1-D signals (x of shape [N, C, T]),
/// tabular rows ([N, F]), images already as floats ([N, C, H, W]). Made by <see cref="From"/> from two tensors; the
/// values are copied once, then used as given: no normalisation and no augmentation (those are image steps, see
/// <see cref="ImageDataset"/>). Splits, subsets and batch order follow the same rules as image sets
/// (<see cref="LabelledDataset"/>). Immutable; subsets share the values.
/// </summary>
public sealed class TensorDataset : LabelledDataset
{
    private readonly float[] _values;
    private readonly int[]? _map;

    private TensorDataset(string name, float[] values, int[]? map, int[] labels, int classCount, IReadOnlyList<string>? classNames, int[] sampleShape)
        : base(name, labels, classCount, classNames, sampleShape, "sample")
    {
        _values = values;
        _map = map;
    }

    /// <summary>
    /// A data set of the samples <paramref name="x"/> [N, …] with labels <paramref name="y"/> [N]. Both tensors are
    /// copied (to float32 and int32 on the CPU); the caller keeps and disposes them.
    /// </summary>
    /// <param name="x">Samples, a floating-point tensor [N, …] with at least one dimension after N; every value finite.</param>
    /// <param name="y">Labels, an integer tensor [N] of values in [0, classes).</param>
    /// <param name="name">Human-readable name; null for "tensors".</param>
    /// <param name="classCount">Number of classes (at least 2); null for the largest label plus one.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="ArgumentException">
    /// x or y has the wrong shape or type, their lengths differ, a label is outside [0, classes), fewer than 2 classes, or x
    /// holds a NaN or infinity (the message names the sample and the element).
    /// </exception>
    public static TensorDataset From(torch.Tensor x, torch.Tensor y, string? name = null, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.dim() < 2)
            throw new ArgumentException($"x must be [N, …] with at least one dimension per sample (for example [N, F] or [N, C, T]); got shape {Shape(x.shape)}.", nameof(x));
        if (x.dtype is not (torch.ScalarType.Float32 or torch.ScalarType.Float64 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16))
            throw new ArgumentException($"x must hold floating-point values (float32 is used); got {x.dtype}.", nameof(x));
        if (y.dim() != 1)
            throw new ArgumentException($"y must be a vector [N] of class labels; got shape {Shape(y.shape)}.", nameof(y));
        if (y.dtype is not (torch.ScalarType.Int64 or torch.ScalarType.Int32 or torch.ScalarType.Int16 or torch.ScalarType.Int8 or torch.ScalarType.Byte))
            throw new ArgumentException($"y must hold integer class labels (int64, int32, …); got {y.dtype}.", nameof(y));
        if (x.shape[0] != y.shape[0])
            throw new ArgumentException($"x holds {x.shape[0]} samples (shape {Shape(x.shape)}) but y holds {y.shape[0]} labels.", nameof(y));
        if (x.shape[0] == 0)
            throw new ArgumentException("x and y hold no samples.", nameof(x));
        if (classCount is int given && given < 2)
            throw new ArgumentOutOfRangeException(nameof(classCount), given, "A classification data set needs at least 2 classes.");

        long[] dims = x.shape[1..];
        if (Array.Exists(dims, d => d < 1))
            throw new ArgumentException($"Every sample dimension of x must be at least 1; got shape {Shape(x.shape)}.", nameof(x));
        long sampleSize = dims.Aggregate(1L, (a, d) => a * d);
        if (sampleSize > int.MaxValue || sampleSize * x.shape[0] > Array.MaxLength)
            throw new ArgumentException($"x of shape {Shape(x.shape)} is too large to hold in one array.", nameof(x));

        float[] values;
        using (var scope = torch.NewDisposeScope())
            values = x.detach().to(torch.float32, torch.CPU).contiguous().data<float>().ToArray();
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException(
                $"x holds {values[bad]} at sample {bad / sampleSize} (element {Shape(Unravel(bad, x.shape))}); the values must be finite.", nameof(x));

        long[] raw;
        using (var scope = torch.NewDisposeScope())
            raw = y.to(torch.int64, torch.CPU).contiguous().data<long>().ToArray();
        long limit = classCount ?? int.MaxValue;
        int wrong = Array.FindIndex(raw, v => v < 0 || v >= limit);
        if (wrong >= 0)
            throw new ArgumentException(
                $"y[{wrong}] = {raw[wrong]} is not a class label: labels must be integers in [0, {(classCount is int k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "classes")}).", nameof(y));
        int classes = classCount ?? (int)raw.Max() + 1;
        if (classes < 2)
            throw new ArgumentException($"y uses only class {raw[0]}; a classification data set needs at least 2 classes (give classCount when some are absent).", nameof(y));
        int[] labels = Array.ConvertAll(raw, v => (int)v);
        return new TensorDataset(name ?? "tensors", values, null, labels, classes, null, Array.ConvertAll(dims, d => (int)d));
    }

    /// <summary>The values of sample <paramref name="index"/>, in row-major order of <see cref="LabelledDataset.SampleShape"/>.</summary>
    /// <param name="index">Sample index in [0, Count).</param>
    /// <returns>A read-only view of the stored values.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public ReadOnlySpan<float> GetSample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _values.AsSpan(Stored(index) * SampleSize, SampleSize);
    }

    /// <summary>The samples at <paramref name="indices"/>, as a view sharing the values.</summary>
    /// <param name="indices">Indices into this data set.</param>
    /// <param name="name">Name of the subset; defaults to this name with a suffix.</param>
    /// <returns>The subset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public override TensorDataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        int[] map = CheckedIndices(indices);
        int[] labels = Array.ConvertAll(map, LabelAt);
        for (int i = 0; i < map.Length; i++)
            map[i] = Stored(map[i]);
        return new TensorDataset(name ?? $"{Name}-subset", _values, map, labels, ClassCount, ClassNames, [.. SampleShape]);
    }

    internal override ReadOnlySpan<byte> SampleBytes(int index) => MemoryMarshal.AsBytes(GetSample(index));

    internal override RawBatch ReadBatch(int[] samples, int threads, CancellationToken cancellationToken)
    {
        int size = SampleSize;
        var values = new float[(long)samples.Length * size];
        for (int i = 0; i < samples.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _values.AsSpan(Stored(samples[i]) * size, size).CopyTo(values.AsSpan(i * size, size));
        }

        return new RawBatch(samples, null, LabelValues(samples)) { Values = values };
    }

    internal override torch.Tensor ToInputs(RawBatch raw, AugmentationPipeline augmentation, DeterministicRandom random, torch.Device device)
    {
        if (!augmentation.IsNone)
            throw new ArgumentException($"The data set '{Name}' holds tensors, not images: augmentation applies to images only.", nameof(augmentation));
        long[] shape = [raw.Samples.Length, .. SampleShape.Select(d => (long)d)];
        using var scope = torch.NewDisposeScope();
        return torch.tensor(raw.Values!, shape, torch.float32).to(device).MoveToOuterDisposeScope();
    }

    private static long[] Unravel(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }

        return index;
    }

    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";

    private int Stored(int index) => _map is null ? index : _map[index];
}
