using IstaNas.Formats;
using Microsoft.Extensions.Logging;

namespace IstaNas.Data;

/// <summary>
/// The file-format readers as static members of <see cref="ImageDataset"/>: <c>ImageDataset.LoadCifar10(folder)</c>,
/// <c>LoadCifar100</c>, <c>LoadIdx</c>, <c>LoadImageFolder</c>, <c>LoadImageFolderTrainTest</c> and
/// <c>ImageFileExtensions</c>, in the data sets' namespace, so code that uses them needs only this package.
/// </summary>
public static class ImageDatasetFormats
{
    extension(ImageDataset)
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
        /// Loads your own images from <c>root/&lt;class&gt;/&lt;image&gt;</c> (PNG, JPEG or BMP; see <c>ImageDataset.ImageFileExtensions</c>),
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
    }
}
