using Microsoft.Extensions.Logging;

namespace IstaNas.Data;

/// <summary>The ways to get an <see cref="ImageDataset"/>: the standard readers, your own image folders, synthetic data and raw pixels.</summary>
public abstract partial class ImageDataset
{
    /// <summary>The image file extensions the folder reader accepts (PNG, JPEG, BMP), lower case with the dot.</summary>
    public static IReadOnlyList<string> ImageFileExtensions => ImageFolder.Extensions;

    /// <summary>
    /// Loads CIFAR-10 from its binary folder (<c>cifar-10-batches-bin</c>: <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>,
    /// <c>test_batch.bin</c>) or its Python folder (<c>cifar-10-batches-py</c>: <c>data_batch_1</c> … <c>test_batch</c>,
    /// <c>batches.meta</c>), read by a built-in reader that runs no Python code. The binary version is used when both are there.
    /// </summary>
    /// <param name="directory">The folder holding the batches.</param>
    /// <param name="train">True for the 50,000 training images, false for the 10,000 test images.</param>
    /// <returns>The data set named "cifar10-train" or "cifar10-test", with the standard mean/std and the class names.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A batch file is missing, or the folder holds neither version (the message names the files).</exception>
    /// <exception cref="DataFormatException">A batch file is empty, truncated, not the expected pickle, or has a label above 9.</exception>
    public static ImageDataset LoadCifar10(string directory, bool train = true) =>
        train ? Cifar10.LoadTrain(directory) : Cifar10.LoadTest(directory);

    /// <summary>
    /// Loads CIFAR-100 from its binary folder (<c>cifar-100-binary</c>: <c>train.bin</c>, <c>test.bin</c>) or its Python
    /// folder (<c>cifar-100-python</c>: <c>train</c>, <c>test</c>, <c>meta</c>). Both labels are validated whichever is used.
    /// </summary>
    /// <param name="directory">The folder holding the files.</param>
    /// <param name="train">True for the 50,000 training images, false for the 10,000 test images.</param>
    /// <param name="coarseLabels">False (default) for the 100 fine classes, true for the 20 coarse ones.</param>
    /// <returns>The data set named "cifar100-train"/"cifar100-test" (or "cifar100-coarse-…"), with the standard mean/std and the class names.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="DataFormatException">The file is empty, truncated, not the expected pickle, or has a label out of range.</exception>
    public static ImageDataset LoadCifar100(string directory, bool train = true, bool coarseLabels = false)
    {
        var labels = coarseLabels ? Cifar100LabelKind.Coarse : Cifar100LabelKind.Fine;
        return train ? Cifar100.LoadTrain(directory, labels) : Cifar100.LoadTest(directory, labels);
    }

    /// <summary>Loads an MNIST-style IDX pair of images and labels (each optionally gzipped), such as MNIST or Fashion-MNIST.</summary>
    /// <param name="imagesPath">The images file.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="channels">1 (default) keeps the grey image; 3 replicates it into identical R, G and B planes.</param>
    /// <param name="padTo">
    /// When set, images are zero-padded equally on all sides (the extra pixel at the bottom/right when odd) to this square
    /// size, e.g. 28×28 MNIST to 32×32; it must be at least the image height and width. Null (default) keeps the size.
    /// </param>
    /// <param name="classCount">When set, every label must be below it; null (default) uses the largest label plus one.</param>
    /// <param name="name">The data set's name; null (default) uses the image file's name.</param>
    /// <returns>The data set, with mean/std computed from its pixels.</returns>
    /// <exception cref="ArgumentException">An argument is out of range (the message names it and its value).</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">
    /// A file is empty, has the wrong magic number, is shorter (or longer) than its header says, the label count differs
    /// from the image count, or a label is not below <paramref name="classCount"/>.
    /// </exception>
    public static ImageDataset LoadIdx(string imagesPath, string labelsPath, int channels = 1, int? padTo = null, int? classCount = null,
        string? name = null) =>
        Idx.Load(imagesPath, labelsPath, new IdxLoadOptions { Channels = channels, PadTo = padTo, ClassCount = classCount, Name = name });

    /// <summary>
    /// Loads your own images from <c>root/&lt;class&gt;/&lt;image&gt;</c> (PNG, JPEG or BMP; see <see cref="ImageFileExtensions"/>),
    /// one subfolder per class, class names from the folder names in ordinal order. For a folder with <c>train</c> and
    /// <c>test</c> (or <c>val</c>) subfolders use <see cref="LoadImageFolderTrainTest"/>.
    /// </summary>
    /// <param name="root">The folder.</param>
    /// <param name="options">Size, channels, resizing, skipping, memory limit, statistics, order; null for the defaults (32×32 RGB).</param>
    /// <param name="logger">Receives a warning for every skipped image or class folder; null for none.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it and its value).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DataFormatException">
    /// The folder's layout is wrong (the message says how), or an image cannot be read and
    /// <see cref="ImageFolderOptions.SkipInvalidImages"/> is off.
    /// </exception>
    public static ImageDataset LoadImageFolder(string root, ImageFolderOptions? options = null, ILogger? logger = null) =>
        ImageFolder.Load(root, options, logger);

    /// <summary>
    /// Loads a training and a test set from your own images: <c>root/train/&lt;class&gt;/…</c> with <c>root/test/…</c> (or
    /// <c>root/val/…</c>) when the folder has them; otherwise <c>root/&lt;class&gt;/…</c> of which the seeded
    /// <see cref="ImageFolderOptions.TestPortion"/> of every class is held out for testing (the same images for every
    /// caller with the same options, so a search and a later evaluation on one folder never train on each other's test images).
    /// The test set is normalised with the training set's statistics.
    /// </summary>
    /// <param name="root">The folder.</param>
    /// <param name="options">As for <see cref="LoadImageFolder"/>; null for the defaults.</param>
    /// <param name="logger">Receives a warning for every skipped image or class folder; null for none.</param>
    /// <returns>The training set (named "…-train") and the test set (named "…-test").</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DataFormatException">
    /// The layout is wrong, too few images are left to hold out a test set, or an image cannot be read and
    /// <see cref="ImageFolderOptions.SkipInvalidImages"/> is off.
    /// </exception>
    public static (ImageDataset Train, ImageDataset Test) LoadImageFolderTrainTest(string root, ImageFolderOptions? options = null,
        ILogger? logger = null) =>
        ImageFolder.LoadTrainTest(root, options, logger);

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
