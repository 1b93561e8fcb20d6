namespace IstaNas.Data;

/// <summary>
/// An <see cref="ImageDataset"/> whose pixels are held in one byte array in [N, C, H, W] order (channel planes, rows,
/// columns), which keeps CIFAR-10's 50,000 training images at about 150 MB. Made by
/// <see cref="ImageDataset.FromPixels"/>, <see cref="ImageDataset.ToInMemory"/> and the CIFAR, IDX and synthetic readers.
/// </summary>
internal sealed class InMemoryImageDataset : ImageDataset
{
    private readonly byte[] _pixels;

    internal InMemoryImageDataset(string name, byte[] pixels, int[] labels, int channels, int height, int width, int classCount,
        IReadOnlyList<float> mean, IReadOnlyList<float> std, IReadOnlyList<string>? classNames)
        : base(name, labels, channels, height, width, classCount, mean, std, classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long imageSize = (long)channels * height * width;
        if (pixels.LongLength != imageSize * labels.Length)
        {
            throw new ArgumentException(
                $"Pixel storage has {pixels.LongLength} bytes but {labels.Length} images of {channels}x{height}x{width} need {imageSize * labels.Length}.",
                nameof(pixels));
        }

        _pixels = pixels;
    }

    /// <summary>All pixel bytes in [N, C, H, W] order.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The bytes of image <paramref name="index"/> in [C, H, W] order: a view of the storage, no copy.</summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <returns>A read-only view of the image.</returns>
    public override ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return new ReadOnlySpan<byte>(_pixels, index * ImageSize, ImageSize);
    }

    /// <inheritdoc />
    protected override void ReadImage(int index, Span<byte> destination) =>
        _pixels.AsSpan(index * ImageSize, ImageSize).CopyTo(destination);
}
