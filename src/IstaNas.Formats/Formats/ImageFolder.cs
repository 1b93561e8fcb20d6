using IstaNas.Data;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IstaNas.Formats;

/// <summary>
/// Reads your own images: a folder with one subfolder per class, <c>root/&lt;class&gt;/&lt;image&gt;</c> (torchvision's
/// <c>ImageFolder</c> convention).
/// <list type="bullet">
/// <item>Classes are the subfolders, sorted by name (ordinal order); label k is the k-th name (<see cref="LabelledDataset.ClassNames"/>).</item>
/// <item>Images are the files directly inside a class folder whose extension is one of <see cref="Extensions"/>
/// (case-insensitive), read as PNG, JPEG (baseline or progressive) or BMP by their content. Other files, subfolders of
/// class folders, and files and folders whose name starts with '.' are ignored.</item>
/// <item>Every image is converted to RGB or grey (<see cref="ImageFolderOptions.Channels"/>) and resized to a square
/// (<see cref="ImageFolderOptions.ImageSize"/>, <see cref="ImageFolderOptions.ResizeMode"/>).</item>
/// <item>Small data sets are decoded into memory when loaded; larger ones list files and labels and decode on demand
/// (<see cref="ImageFolderOptions.InMemoryLimitBytes"/>), with the <see cref="BatchLoader"/> decoding batches ahead on
/// worker threads.</item>
/// <item>Deterministic: the same folder and options give the same data set (same order, same bytes, same statistics),
/// whatever the thread scheduling.</item>
/// </list>
/// Problems are reported with the folder or file they concern: a <see cref="DirectoryNotFoundException"/> for a missing
/// root, a <see cref="DataFormatException"/> for a wrong layout (no class folders, an empty class folder, a single class,
/// no images, images of different sizes without a target size), a <see cref="DataFormatException"/> for an unreadable
/// image; empty class folders and unreadable images can be skipped with a warning instead
/// (<see cref="ImageFolderOptions.SkipEmptyClassFolders"/>, <see cref="ImageFolderOptions.SkipInvalidImages"/>).
/// </summary>
internal static partial class ImageFolder
{
    private const long OrderSalt = 0x0F01DE;
    private const long SplitSalt = 0x5B1D;

    /// <summary>The file extensions read as images: .png, .jpg, .jpeg and .bmp (any case).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>
    /// Loads <c>root/&lt;class&gt;/&lt;image&gt;</c> as one data set.
    /// </summary>
    /// <param name="root">The folder holding one subfolder per class.</param>
    /// <param name="options">Size, channels, resizing, skipping, memory limit, statistics, order; null for the defaults (32×32 RGB).</param>
    /// <param name="logger">Receives a warning for every skipped image or class folder; null for none.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it and its value).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DataFormatException">The folder's layout is wrong (the message says how).</exception>
    /// <exception cref="DataFormatException">An image cannot be read and <see cref="ImageFolderOptions.SkipInvalidImages"/> is off.</exception>
    public static ImageDataset Load(string root, ImageFolderOptions? options = null, ILogger? logger = null)
    {
        options ??= new ImageFolderOptions();
        Validate(options);
        logger ??= NullLogger.Instance;
        RequireFolder(root);
        if (FindTrainTestFolders(root) is var (train, test))
        {
            throw DataFormatException.Folder(root,
                $"it holds '{Path.GetFileName(train)}' and '{Path.GetFileName(test)}' folders, a train/test layout: load it with " +
                $"ImageDataset.LoadImageFolderTrainTest, or point at '{train}' for its training images alone.");
        }

        var listing = Scan(root, null, options, logger);
        string name = options.Name ?? FolderName(root);
        return Build(name, root, listing.Entries, listing.ClassNames, options, null, null, 0, logger);
    }

    /// <summary>
    /// Loads a training and a test set: <c>root/train/&lt;class&gt;/…</c> with <c>root/test/&lt;class&gt;/…</c> (or, when there is
    /// no <c>test</c> folder, <c>root/val/&lt;class&gt;/…</c>); otherwise <c>root/&lt;class&gt;/…</c> (or <c>root/train</c> alone)
    /// split per class, holding out <see cref="ImageFolderOptions.TestPortion"/> of each class's images chosen with
    /// <see cref="ImageFolderOptions.Seed"/>. Class names and labels come from the training folder; a test class folder
    /// must have a training counterpart. The test set is normalised with the training set's statistics.
    /// </summary>
    /// <param name="root">The folder.</param>
    /// <param name="options">As for <see cref="Load"/>, plus the test portion; null for the defaults.</param>
    /// <param name="logger">Receives a warning for every skipped image or class folder; null for none.</param>
    /// <returns>The training set (named "…-train") and the test set (named "…-test").</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DataFormatException">The layout is wrong, or too few images are left to hold out a test set.</exception>
    /// <exception cref="DataFormatException">An image cannot be read and <see cref="ImageFolderOptions.SkipInvalidImages"/> is off.</exception>
    public static (ImageDataset Train, ImageDataset Test) LoadTrainTest(string root, ImageFolderOptions? options = null, ILogger? logger = null)
    {
        options ??= new ImageFolderOptions();
        Validate(options);
        logger ??= NullLogger.Instance;
        RequireFolder(root);
        string name = options.Name ?? FolderName(root);
        if (FindTrainTestFolders(root) is var (trainFolder, testFolder))
        {
            var trainListing = Scan(trainFolder, null, options, logger);
            var testListing = Scan(testFolder, trainListing.ClassNames, options, logger);
            if (options.ImageSize is null)
            {
                Entry a = trainListing.Entries[0], b = testListing.Entries[0];
                if (a.Header.Width != b.Header.Width || a.Header.Height != b.Header.Height)
                {
                    throw DataFormatException.Folder(root,
                        $"its training and test images have different sizes: '{a.Path}' is {a.Header} and '{b.Path}' is {b.Header}; " +
                        "set an image size (ImageFolderOptions.ImageSize) to resize them all.");
                }
            }

            ImageFolderDataset trainSet = Build($"{name}-train", trainFolder, trainListing.Entries, trainListing.ClassNames, options, null, null, 1, logger);
            ImageFolderDataset testSet = Build($"{name}-test", testFolder, testListing.Entries, trainListing.ClassNames, options, trainSet.Mean, trainSet.Std, 2, logger);
            return (trainSet, testSet);
        }

        string folder = Directory.Exists(Path.Combine(root, "train")) ? Path.Combine(root, "train") : root;
        var listing = Scan(folder, null, options, logger);
        var (train, test) = SplitByPortion(listing.Entries, listing.ClassNames.Count, options);
        if (test.Count == 0)
        {
            throw DataFormatException.Folder(folder,
                $"its {listing.Entries.Count} images are too few to hold out a test portion of {options.TestPortion} per class " +
                "(each class keeps at least one training image).");
        }

        ImageFolderDataset trainPart = Build($"{name}-train", folder, train, listing.ClassNames, options, null, null, 1, logger);
        ImageFolderDataset testPart = Build($"{name}-test", folder, test, listing.ClassNames, options, trainPart.Mean, trainPart.Std, 2, logger);
        return (trainPart, testPart);
    }

    /// <summary>
    /// The training and test folders of a train/test layout: <c>root/train</c> together with <c>root/test</c>, or with
    /// <c>root/val</c> when there is no <c>test</c>; null when <paramref name="root"/> has no such pair.
    /// </summary>
    /// <param name="root">The folder.</param>
    /// <returns>The two folders, or null.</returns>
    public static (string Train, string Test)? FindTrainTestFolders(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string train = Path.Combine(root, "train");
        if (!Directory.Exists(train))
        {
            return null;
        }

        foreach (string test in new[] { "test", "val" })
        {
            string path = Path.Combine(root, test);
            if (Directory.Exists(path))
            {
                return (train, path);
            }
        }

        return null;
    }

    private sealed record Entry(string Path, int Label, ImageHeader Header);

    private sealed record Listing(List<Entry> Entries, IReadOnlyList<string> ClassNames);

    private static void Validate(ImageFolderOptions options) =>
        OptionsValidation.ValidateArgument(options, (_, message) => new ArgumentException(message, nameof(options)));

    private static void RequireFolder(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException(File.Exists(root)
                ? $"Image folder '{root}' is a file, not a folder."
                : $"Image folder '{root}' does not exist.");
        }
    }

    private static string FolderName(string root)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
        return name.Length > 0 ? name : "images";
    }

    private static bool IsHidden(string path) => Path.GetFileName(path).StartsWith('.');

    private static bool IsImageFile(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
}
