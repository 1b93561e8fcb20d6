using System.Runtime.ExceptionServices;
using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// A labelled image data set: N images of C×H×W bytes (channel planes, rows, columns), one label each in
/// [0, <see cref="LabelledDataset.ClassCount"/>), a class name per label, and the per-channel statistics used for normalisation.
/// <para>
/// This is the abstraction that <see cref="BatchLoader"/>, the search strategies and the evaluation trainer read. Labels
/// are always held in memory; pixels may be too (<see cref="InMemoryImageDataset"/>, made by <see cref="FromPixels"/> and
/// by the synthetic reader and by the CIFAR and IDX readers of IstaNas.Formats) or be decoded on demand from files (that
/// package's image folders, see <see cref="LabelledDataset.DecodesOnDemand"/>). <see cref="Subset"/>, <see cref="Split(double)"/> and <see cref="WithNormalization"/>
/// return index views that share the images of this data set instead of copying them.
/// </para>
/// <para>
/// Instances are immutable and hold no native memory, so they need no disposal; tensors are created on demand by
/// <see cref="ToTensor(IReadOnlyList{int}?)"/> and by <see cref="BatchLoader"/>. Reading images is thread-safe.
/// </para>
/// <para>
/// To write your own kind of data set, derive from this class and implement <see cref="ReadImage"/>; override
/// <see cref="LabelledDataset.DecodesOnDemand"/> when reading an image is expensive (the loader then decodes batches ahead on worker
/// threads) and <see cref="GetSource"/> when images come from files.
/// </para>
/// </summary>
public abstract partial class ImageDataset : LabelledDataset
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Initialises the shared state of a data set; <paramref name="labels"/> is taken over, not copied.</summary>
    /// <param name="name">Human-readable name, such as "cifar10-train".</param>
    /// <param name="labels">One label per image, each in [0, <paramref name="classCount"/>); the array is taken over.</param>
    /// <param name="channels">C, the number of channels.</param>
    /// <param name="height">H, the image height.</param>
    /// <param name="width">W, the image width.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="mean">Per-channel mean of pixel/255 used for normalisation (length C).</param>
    /// <param name="std">Per-channel standard deviation of pixel/255 used for normalisation (length C, all positive).</param>
    /// <param name="classNames">One name per class; null names the classes "0", "1", … .</param>
    /// <exception cref="ArgumentException">A size, label, statistic or class name is invalid (the message says which).</exception>
#pragma warning disable RS0022 // LabelledDataset has no protected members; ImageDataset is the documented extension point
    protected ImageDataset(string name, int[] labels, int channels, int height, int width, int classCount,
        IReadOnlyList<float> mean, IReadOnlyList<float> std, IReadOnlyList<string>? classNames)
        : base(name, labels, classCount, classNames, ImageShape(channels, height, width, mean, std), "image")
    {
        Channels = channels;
        Height = height;
        Width = width;
        _mean = mean.ToArray();
        _std = std.ToArray();
    }
#pragma warning restore RS0022

    /// <summary>C, the number of channels.</summary>
    public int Channels { get; }

    /// <summary>H, the image height in pixels.</summary>
    public int Height { get; }

    /// <summary>W, the image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of bytes per image, C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Per-channel mean of pixel/255 used for normalisation.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviation of pixel/255 used for normalisation.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>
    /// How an image folder's files are brought to this data set's size (its reader's resize mode, given also when the
    /// files kept their size); null for data sets not read from image files (in-memory pixels, CIFAR, IDX, synthetic
    /// data) and for views such as <see cref="Subset"/>. A trained network's <c>ModelMetadata</c> records it, so that image
    /// files are brought to the network's input the way its training images were.
    /// </summary>
    public virtual ImageResizeMode? ResizeMode => null;

    /// <summary>Where image <paramref name="index"/> comes from (a file path), or null when the data set does not say.</summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <returns>The source, or null.</returns>
    public virtual string? GetSource(int index)
    {
        CheckIndex(index);
        return null;
    }

    /// <summary>Copies the bytes of image <paramref name="index"/> in [C, H, W] order into <paramref name="destination"/>.</summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <param name="destination">At least <see cref="ImageSize"/> bytes; only the first <see cref="ImageSize"/> are written.</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    /// <exception cref="IOException">The image could not be read or decoded (a <see cref="DataFormatException"/> names the file).</exception>
    public void CopyImage(int index, Span<byte> destination)
    {
        CheckIndex(index);
        if (destination.Length < ImageSize)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; an image needs {ImageSize}.", nameof(destination));
        }

        ReadImage(index, destination[..ImageSize]);
    }

    /// <summary>
    /// The bytes of image <paramref name="index"/> in [C, H, W] order. For an in-memory data set this is a view of its
    /// storage; otherwise the image is decoded into a new array on every call.
    /// </summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <returns>A read-only view of the image.</returns>
    public virtual ReadOnlySpan<byte> GetImage(int index)
    {
        var buffer = new byte[ImageSize];
        CopyImage(index, buffer);
        return buffer;
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
    /// The images at <paramref name="indices"/> (in that order, repeats allowed), with the same class count, class
    /// names and normalisation statistics. The result is a view: it shares this data set's images and copies only the
    /// index list and the labels.
    /// </summary>
    /// <param name="indices">Indices into this data set.</param>
    /// <param name="name">Name of the subset; defaults to this name with a suffix.</param>
    /// <returns>The subset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public override ImageDataset Subset(IReadOnlyList<int> indices, string? name = null) =>
        ImageDatasetView.Create(this, CheckedIndices(indices), name ?? $"{Name}-subset", Mean, Std);

    /// <summary>
    /// This data set normalised with other statistics, for example a test set with its training set's mean and std.
    /// The result is a view sharing this data set's images.
    /// </summary>
    /// <param name="mean">Per-channel mean of pixel/255 (length C).</param>
    /// <param name="std">Per-channel standard deviation of pixel/255 (length C, all positive).</param>
    /// <param name="name">Name of the result; defaults to this name.</param>
    /// <returns>The view.</returns>
    public ImageDataset WithNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        return ImageDatasetView.Create(this, null, name ?? Name, mean, std);
    }

    /// <summary>
    /// Splits into two parts the way the ISTA-NAS/DARTS authors do: the first ⌊portion·N⌋ images (in stored order)
    /// train the network weights W, the rest train the architecture parameters b. Deterministic. Both parts are views.
    /// </summary>
    /// <param name="portion">Fraction in [0, 1] that goes to the first part (the authors use 0.5).</param>
    /// <returns>The first part (named "…-train") and second part (named "…-valid"), both sharing this data set's statistics.</returns>
    public new (ImageDataset First, ImageDataset Second) Split(double portion)
    {
        (int[] first, int[] second) = SplitOrder(Count, portion, null);
        return (Subset(first, $"{Name}-train"), Subset(second, $"{Name}-valid"));
    }

    /// <summary>
    /// Splits into two parts after a seeded random permutation of the indices: the first ⌊portion·N⌋ permuted images
    /// form the first part. The same seed always gives the same split. Both parts are views.
    /// </summary>
    /// <param name="portion">Fraction in [0, 1] that goes to the first part.</param>
    /// <param name="seed">Seed of the permutation.</param>
    /// <returns>The two parts.</returns>
    public new (ImageDataset First, ImageDataset Second) Split(double portion, int seed)
    {
        (int[] first, int[] second) = SplitOrder(Count, portion, seed);
        return (Subset(first, $"{Name}-train"), Subset(second, $"{Name}-valid"));
    }

    /// <summary>
    /// Reads every image into memory (decoding them in parallel when <see cref="LabelledDataset.DecodesOnDemand"/>), keeping labels,
    /// class names and statistics. An in-memory data set returns itself when no new name is asked for.
    /// </summary>
    /// <param name="name">Name of the result; defaults to this name.</param>
    /// <returns>The in-memory data set.</returns>
    /// <exception cref="NotSupportedException">The pixels do not fit in one array.</exception>
    /// <exception cref="IOException">An image could not be read (the first failing one in index order is reported).</exception>
    internal InMemoryImageDataset ToInMemory(string? name = null)
    {
        if (this is InMemoryImageDataset self && (name is null || name == Name))
        {
            return self;
        }

        long total = (long)Count * ImageSize;
        if (total > Array.MaxLength)
        {
            throw new NotSupportedException($"{Count} images of {Channels}x{Height}x{Width} ({total} bytes) exceed the maximum in-memory array size.");
        }

        var pixels = new byte[total];
        int[] all = Enumerable.Range(0, Count).ToArray();
        CopyImages(all, 0, all.Length, pixels, DecodesOnDemand ? Environment.ProcessorCount : 1, CancellationToken.None);
        return new InMemoryImageDataset(name ?? Name, pixels, Labels.ToArray(), Channels, Height, Width, ClassCount, _mean, _std, ClassNames);
    }

    /// <summary>
    /// The images at <paramref name="indices"/> (or all images) as a uint8 tensor [n, C, H, W] on the CPU.
    /// The caller owns and must dispose the tensor.
    /// </summary>
    /// <param name="indices">Which images, in order; null for all.</param>
    /// <returns>A new uint8 tensor.</returns>
    public torch.Tensor ToTensor(IReadOnlyList<int>? indices = null)
    {
        indices ??= Enumerable.Range(0, Count).ToArray();
        var buffer = new byte[(long)indices.Count * ImageSize];
        CopyImages(indices, 0, indices.Count, buffer, DecodesOnDemand ? Environment.ProcessorCount : 1, CancellationToken.None);
        return torch.tensor(buffer, new long[] { indices.Count, Channels, Height, Width }, torch.uint8);
    }

    /// <summary>
    /// Writes the bytes of image <paramref name="index"/> (already range-checked) into <paramref name="destination"/>,
    /// which is exactly <see cref="ImageSize"/> bytes long. Called concurrently from several threads.
    /// </summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <param name="destination">Exactly <see cref="ImageSize"/> bytes.</param>
    protected abstract void ReadImage(int index, Span<byte> destination);

    /// <summary>
    /// Copies images <paramref name="indices"/>[start..start+length] into consecutive slots of
    /// <paramref name="destination"/>, on up to <paramref name="parallelism"/> threads. When images fail to read, every
    /// image is still attempted and the failure of the first failing position is thrown, so the error does not depend
    /// on thread scheduling.
    /// </summary>
    internal void CopyImages(IReadOnlyList<int> indices, int start, int length, byte[] destination, int parallelism, CancellationToken cancellationToken)
    {
        int size = ImageSize;
        for (int i = 0; i < length; i++)
        {
            int src = indices[start + i];
            if ((uint)src >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {src} is outside [0, {Count}).");
            }
        }

        if (parallelism <= 1 || length <= 1)
        {
            for (int i = 0; i < length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ReadImage(indices[start + i], destination.AsSpan(i * size, size));
            }

            return;
        }

        var errors = new Exception?[length];
        Parallel.For(0, length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                ReadImage(indices[start + i], destination.AsSpan(i * size, size));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors[i] = e;
            }
        });
        foreach (Exception? e in errors)
        {
            if (e is not null)
            {
                ExceptionDispatchInfo.Capture(e).Throw();
            }
        }
    }

    /// <summary>Reads an already range-checked image; lets views read their parent.</summary>
    internal void ReadImageUnchecked(int index, Span<byte> destination) => ReadImage(index, destination);

    private void CheckIndex(int index) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));

    /// <summary>The image of <paramref name="index"/> as bytes, for content fingerprints.</summary>
    internal override ReadOnlySpan<byte> SampleBytes(int index) => GetImage(index);

    /// <inheritdoc />
    internal override RawBatch ReadBatch(int[] samples, int threads, CancellationToken cancellationToken)
    {
        var buffer = new byte[(long)samples.Length * ImageSize];
        CopyImages(samples, 0, samples.Length, buffer, threads, cancellationToken);
        return new RawBatch(samples, buffer, LabelValues(samples));
    }

    /// <inheritdoc />
    internal override torch.Tensor ToInputs(RawBatch raw, AugmentationPipeline augmentation, DeterministicRandom random, torch.Device device)
    {
        using var scope = torch.NewDisposeScope();
        var bytes = torch.tensor(raw.Pixels!, new long[] { raw.Samples.Length, Channels, Height, Width }, torch.uint8).to(device);
        return augmentation.Apply(bytes, Mean, Std, random).MoveToOuterDisposeScope();
    }

    /// <summary>Checks an image size and the normalisation statistics, and gives the sample shape [C, H, W].</summary>
    private static int[] ImageShape(int channels, int height, int width, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if ((long)channels * height * width > int.MaxValue)
        {
            throw new ArgumentException($"Images of {channels}x{height}x{width} are too large (more than {int.MaxValue} bytes each).");
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

        return [channels, height, width];
    }
}
