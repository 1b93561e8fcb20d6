namespace IstaNas.Data;

/// <summary>
/// The ways the core gets an <see cref="ImageDataset"/>: synthetic data and raw pixels. The file-format readers (CIFAR,
/// IDX, image folders) are in the IstaNas.Formats package, which adds <c>ImageDataset.LoadCifar10</c> and its kin.
/// </summary>
public abstract partial class ImageDataset
{
    /// <summary>
    /// Generates a synthetic data set that needs no files: each class is a shape (class k uses shape k % 10) with a
    /// class-specific tint in colour, plus Gaussian pixel noise. The same seed gives byte-identical data. This is the data
    /// of the README's main command and of the tests.
    /// </summary>
    /// <param name="count">Number of images (at least 1).</param>
    /// <param name="seed">The seed.</param>
    /// <param name="classCount">Number of classes, at least 2 (default 10); with one channel keep at most 10, as classes k and k + 10 share a shape.</param>
    /// <param name="imageSize">Height and width of the square images, at least 8 (default 32).</param>
    /// <param name="channels">3 (default: colour, tinted per class) or 1 (grey, shape only).</param>
    /// <param name="noiseStd">Standard deviation of the additive Gaussian pixel noise, in units of full intensity (default 0.08).</param>
    /// <param name="name">The data set's name; null (default) uses "synthetic-{count}-{seed}".</param>
    /// <returns>The data set, with mean/std computed from its pixels.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (the message names it and its value).</exception>
    public static ImageDataset CreateSynthetic(int count, int seed = 0, int? classCount = null, int? imageSize = null, int? channels = null,
        double? noiseStd = null, string? name = null) =>
        Synthetic.Create(count, seed, SyntheticShape(classCount, imageSize, channels, noiseStd, name));

    /// <summary>The synthetic options with the given values, the defaults elsewhere.</summary>
    internal static SyntheticOptions SyntheticShape(int? classCount, int? imageSize, int? channels, double? noiseStd, string? name)
    {
        var o = new SyntheticOptions { Name = name };
        return o with
        {
            ClassCount = classCount ?? o.ClassCount,
            ImageSize = imageSize ?? o.ImageSize,
            Channels = channels ?? o.Channels,
            NoiseStd = noiseStd ?? o.NoiseStd,
        };
    }

    /// <summary>Creates an in-memory data set from raw storage; the arrays are taken over, not copied.</summary>
    /// <param name="name">Human-readable name, such as "cifar10-train".</param>
    /// <param name="pixels">Pixel bytes in [N, C, H, W] order; length must be N·C·H·W.</param>
    /// <param name="labels">One label per image, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="channels">C, the number of channels.</param>
    /// <param name="height">H, the image height.</param>
    /// <param name="width">W, the image width.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="mean">Per-channel mean of pixel/255 used for normalisation (length C); null computes it from the pixels.</param>
    /// <param name="std">Per-channel standard deviation of pixel/255 (length C, all positive); null computes it from the pixels.</param>
    /// <param name="classNames">One name per class; null names the classes "0", "1", … .</param>
    /// <returns>The data set.</returns>
    /// <exception cref="ArgumentException">The sizes, labels, statistics or class names do not fit together.</exception>
    public static ImageDataset FromPixels(string name, byte[] pixels, int[] labels, int channels, int height, int width, int classCount,
        IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (mean is null || std is null)
        {
            long imageSize = (long)channels * height * width;
            if (pixels.LongLength != imageSize * labels.Length)
            {
                throw new ArgumentException(
                    $"Pixel storage has {pixels.LongLength} bytes but {labels.Length} images of {channels}x{height}x{width} need {imageSize * labels.Length}.",
                    nameof(pixels));
            }

            var (m, s) = ComputeChannelStatistics(pixels, labels.Length, channels, height * width);
            mean ??= m;
            std ??= s;
        }

        return new InMemoryImageDataset(name, pixels, labels, channels, height, width, classCount, mean, std, classNames);
    }
}
