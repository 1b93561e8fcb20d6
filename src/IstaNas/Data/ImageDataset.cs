using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// An in-memory labelled image data set. Pixels are stored as bytes in [N, C, H, W] order (channel planes,
/// rows, columns), which keeps CIFAR-10's 50,000 training images at about 150 MB. Instances are immutable
/// and hold no native memory, so they need no disposal; tensors are created on demand by
/// <see cref="ToTensor(IReadOnlyList{int}?)"/> and by <see cref="DataLoader"/>.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates a data set from raw storage; the arrays are taken over, not copied.</summary>
    /// <param name="name">Human-readable name, such as "cifar10-train".</param>
    /// <param name="pixels">Pixel bytes in [N, C, H, W] order; length must be N·C·H·W.</param>
    /// <param name="labels">One label per image, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="channels">C, the number of channels.</param>
    /// <param name="height">H, the image height.</param>
    /// <param name="width">W, the image width.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="mean">Per-channel mean of pixel/255 used for normalisation (length C).</param>
    /// <param name="std">Per-channel standard deviation of pixel/255 used for normalisation (length C, all positive).</param>
    public ImageDataset(string name, byte[] pixels, int[] labels, int channels, int height, int width, int classCount,
        IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        long imageSize = (long)channels * height * width;
        if (pixels.LongLength != imageSize * labels.Length)
        {
            throw new ArgumentException(
                $"Pixel storage has {pixels.LongLength} bytes but {labels.Length} images of {channels}x{height}x{width} need {imageSize * labels.Length}.",
                nameof(pixels));
        }

        if (mean.Count != channels || std.Count != channels)
        {
            throw new ArgumentException($"Mean and std must have one entry per channel ({channels}); got {mean.Count} and {std.Count}.");
        }

        for (int c = 0; c < channels; c++)
        {
            if (!(std[c] > 0f) || !float.IsFinite(std[c]) || !float.IsFinite(mean[c]))
            {
                throw new ArgumentException($"Channel {c} has invalid normalisation mean {mean[c]} / std {std[c]}; std must be finite and positive.");
            }
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside [0, {classCount}).", nameof(labels));
            }
        }

        Name = name;
        _pixels = pixels;
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
        _mean = mean.ToArray();
        _std = std.ToArray();
    }

    /// <summary>Human-readable name.</summary>
    public string Name { get; }

    /// <summary>N, the number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>C, the number of channels.</summary>
    public int Channels { get; }

    /// <summary>H, the image height in pixels.</summary>
    public int Height { get; }

    /// <summary>W, the image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of bytes per image, C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Number of classes; labels are in [0, ClassCount).</summary>
    public int ClassCount { get; }

    /// <summary>Per-channel mean of pixel/255 used for normalisation.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviation of pixel/255 used for normalisation.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>All labels, in image order.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>All pixel bytes in [N, C, H, W] order.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The bytes of image <paramref name="index"/> in [C, H, W] order.</summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <returns>A read-only view of the image.</returns>
    public ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return new ReadOnlySpan<byte>(_pixels, index * ImageSize, ImageSize);
    }

    /// <summary>The pixel at (<paramref name="channel"/>, <paramref name="row"/>, <paramref name="column"/>) of an image.</summary>
    /// <param name="index">Image index.</param>
    /// <param name="channel">Channel.</param>
    /// <param name="row">Row (0 is the top).</param>
    /// <param name="column">Column (0 is the left).</param>
    /// <returns>The byte value.</returns>
    public byte GetPixel(int index, int channel, int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)channel, (uint)Channels, nameof(channel));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Height, nameof(row));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)Width, nameof(column));
        return GetImage(index)[(channel * Height + row) * Width + column];
    }

    /// <summary>
    /// A new data set holding the images at <paramref name="indices"/> (in that order, repeats allowed), with the
    /// same class count and normalisation statistics.
    /// </summary>
    /// <param name="indices">Indices into this data set.</param>
    /// <param name="name">Name of the subset; defaults to this name with a suffix.</param>
    /// <returns>The subset (pixels copied).</returns>
    public ImageDataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int src = indices[i];
            if ((uint)src >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {src} at position {i} is outside [0, {Count}).");
            }

            Buffer.BlockCopy(_pixels, src * size, pixels, i * size, size);
            labels[i] = _labels[src];
        }

        return new ImageDataset(name ?? $"{Name}-subset", pixels, labels, Channels, Height, Width, ClassCount, _mean, _std);
    }

    /// <summary>
    /// Splits into two parts the way the ISTA-NAS/DARTS authors do: the first ⌊portion·N⌋ images (in stored order)
    /// train the network weights W, the rest train the architecture parameters b. Deterministic.
    /// </summary>
    /// <param name="portion">Fraction in [0, 1] that goes to the first part (the authors use 0.5).</param>
    /// <returns>The first part (named "…-train") and second part (named "…-valid"), both sharing this data set's statistics.</returns>
    public (ImageDataset First, ImageDataset Second) Split(double portion)
    {
        int cut = SplitPoint(portion);
        return (Subset(Enumerable.Range(0, cut).ToArray(), $"{Name}-train"),
                Subset(Enumerable.Range(cut, Count - cut).ToArray(), $"{Name}-valid"));
    }

    /// <summary>
    /// Splits into two parts after a seeded random permutation of the indices: the first ⌊portion·N⌋ permuted images
    /// form the first part. The same seed always gives the same split.
    /// </summary>
    /// <param name="portion">Fraction in [0, 1] that goes to the first part.</param>
    /// <param name="seed">Seed of the permutation.</param>
    /// <returns>The two parts.</returns>
    public (ImageDataset First, ImageDataset Second) Split(double portion, int seed)
    {
        int cut = SplitPoint(portion);
        int[] order = Enumerable.Range(0, Count).ToArray();
        DeterministicRandom.FromKeys(seed, 0x5B117).Shuffle<int>(order);
        return (Subset(order[..cut], $"{Name}-train"), Subset(order[cut..], $"{Name}-valid"));
    }

    /// <summary>
    /// The images at <paramref name="indices"/> (or all images) as a uint8 tensor [n, C, H, W] on the CPU, plus nothing else.
    /// The caller owns and must dispose the tensor.
    /// </summary>
    /// <param name="indices">Which images, in order; null for all.</param>
    /// <returns>A new uint8 tensor.</returns>
    public torch.Tensor ToTensor(IReadOnlyList<int>? indices = null)
    {
        if (indices is null)
        {
            return torch.tensor(_pixels, new long[] { Count, Channels, Height, Width }, torch.uint8);
        }

        var buffer = new byte[(long)indices.Count * ImageSize];
        CopyImages(indices, 0, indices.Count, buffer);
        return torch.tensor(buffer, new long[] { indices.Count, Channels, Height, Width }, torch.uint8);
    }

    /// <summary>
    /// Computes per-channel mean and (population) standard deviation of pixel/255 over all images.
    /// </summary>
    /// <param name="pixels">Pixel bytes in [N, C, H, W] order.</param>
    /// <param name="count">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="planeSize">H·W.</param>
    /// <returns>Mean and std arrays of length C; a zero std is replaced by 1 so normalisation stays finite.</returns>
    public static (float[] Mean, float[] Std) ComputeChannelStatistics(ReadOnlySpan<byte> pixels, int count, int channels, int planeSize)
    {
        if (pixels.Length != (long)count * channels * planeSize)
        {
            throw new ArgumentException("Pixel span length does not match count x channels x planeSize.", nameof(pixels));
        }

        var sums = new long[channels];
        var squares = new long[channels];
        for (int n = 0; n < count; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                var plane = pixels.Slice((n * channels + c) * planeSize, planeSize);
                long s = 0, q = 0;
                foreach (byte b in plane)
                {
                    s += b;
                    q += b * b;
                }

                sums[c] += s;
                squares[c] += q;
            }
        }

        var mean = new float[channels];
        var std = new float[channels];
        double total = (double)count * planeSize;
        for (int c = 0; c < channels; c++)
        {
            double m = total > 0 ? sums[c] / total : 0.0;
            double v = total > 0 ? squares[c] / total - m * m : 0.0;
            double sd = Math.Sqrt(Math.Max(v, 0.0));
            mean[c] = (float)(m / 255.0);
            std[c] = sd > 0 ? (float)(sd / 255.0) : 1f;
        }

        return (mean, std);
    }

    internal void CopyImages(IReadOnlyList<int> indices, int start, int length, byte[] destination)
    {
        int size = ImageSize;
        for (int i = 0; i < length; i++)
        {
            int src = indices[start + i];
            if ((uint)src >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {src} is outside [0, {Count}).");
            }

            Buffer.BlockCopy(_pixels, src * size, destination, i * size, size);
        }
    }

    internal int LabelAt(int index) => _labels[index];

    private int SplitPoint(double portion)
    {
        if (!(portion >= 0.0 && portion <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(portion), portion, "Portion must be in [0, 1].");
        }

        return (int)Math.Floor(portion * Count);
    }
}
