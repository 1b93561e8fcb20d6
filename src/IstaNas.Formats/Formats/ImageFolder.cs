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
internal static class ImageFolder
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

    /// <summary>
    /// Lists the class folders of <paramref name="folder"/> and their image files, checks every header, and applies the
    /// skip options. With <paramref name="knownClasses"/> (a test folder), class folders map to those names' labels.
    /// </summary>
    private static Listing Scan(string folder, IReadOnlyList<string>? knownClasses, ImageFolderOptions options, ILogger logger)
    {
        RequireFolder(folder);
        CheckNotCifar(folder);
        string[] classFolders = Directory.GetDirectories(folder).Where(d => !IsHidden(d)).Order(StringComparer.Ordinal).ToArray();
        if (classFolders.Length == 0)
        {
            int looseImages = Directory.GetFiles(folder).Count(f => !IsHidden(f) && IsImageFile(f));
            throw DataFormatException.Folder(folder, looseImages > 0
                ? $"its {looseImages} images lie directly in it; an image folder needs one subfolder per class: '{Path.Combine(folder, "<class>", "<image>")}'."
                : $"it has no class subfolders; an image folder needs one subfolder per class: '{Path.Combine(folder, "<class>", "<image>")}'.");
        }

        // Every candidate file, class by class, each class's files in ordinal name order.
        var files = new List<(string Path, int Folder)>();
        var ignored = new int[classFolders.Length];
        var hasSubfolders = new bool[classFolders.Length];
        for (int k = 0; k < classFolders.Length; k++)
        {
            foreach (string file in Directory.GetFiles(classFolders[k]).Order(StringComparer.Ordinal))
            {
                if (IsHidden(file))
                {
                    continue;
                }

                if (IsImageFile(file))
                {
                    files.Add((file, k));
                }
                else
                {
                    ignored[k]++;
                }
            }

            hasSubfolders[k] = Directory.EnumerateDirectories(classFolders[k]).Any(d => !IsHidden(d));
        }

        int totalIgnored = ignored.Sum();
        if (totalIgnored > 0)
        {
            logger.LogInformation("Ignored {Count} files under {Folder} whose extension is not {Extensions}", totalIgnored, folder, string.Join(", ", Extensions));
        }

        if (files.Count == 0)
        {
            throw DataFormatException.Folder(folder,
                $"its {classFolders.Length} class folders hold no image files ({string.Join(", ", Extensions)})" +
                (totalIgnored > 0 ? $"; {totalIgnored} files with other extensions were ignored" : string.Empty) +
                (hasSubfolders.Any(h => h) ? "; images in subfolders of a class folder are not read" : string.Empty) + ".");
        }

        // Headers, in parallel; results by position, so what is reported does not depend on scheduling.
        var headers = new ImageHeader[files.Count];
        var problems = new Exception?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                headers[i] = ImageFiles.ReadHeader(files[i].Path);
                ImageDecoder.CheckPixels(files[i].Path, headers[i], options.MaxSourcePixels);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems[i] = e;
            }
        });

        var perFolder = new List<Entry>[classFolders.Length];
        var skipped = new int[classFolders.Length];
        for (int k = 0; k < perFolder.Length; k++)
        {
            perFolder[k] = [];
        }

        for (int i = 0; i < files.Count; i++)
        {
            var (path, k) = files[i];
            if (problems[i] is Exception problem)
            {
                Invalid(path, problem, options, logger);
                skipped[k]++;
                continue;
            }

            perFolder[k].Add(new Entry(path, k, headers[i]));
        }

        // Class folders without images, then the labels.
        var classNames = new List<string>();
        var entries = new List<Entry>(files.Count);
        for (int k = 0; k < classFolders.Length; k++)
        {
            string className = Path.GetFileName(classFolders[k]);
            if (perFolder[k].Count == 0)
            {
                string why = skipped[k] > 0
                    ? $"all its {skipped[k]} image files are unreadable"
                    : $"it holds no image files ({string.Join(", ", Extensions)})" +
                      (ignored[k] > 0 ? $"; {ignored[k]} files with other extensions were ignored" : string.Empty) +
                      (hasSubfolders[k] ? "; images in its subfolders are not read" : string.Empty);
                if (!options.SkipEmptyClassFolders)
                {
                    throw DataFormatException.Folder(folder, $"class folder '{classFolders[k]}' is empty: {why} (set SkipEmptyClassFolders to leave the class out).");
                }

                logger.LogWarning("Skipping class folder {Folder}: {Problem}", classFolders[k], why);
                continue;
            }

            int label;
            if (knownClasses is null)
            {
                label = classNames.Count;
                classNames.Add(className);
            }
            else
            {
                label = IndexOf(knownClasses, className);
                if (label < 0)
                {
                    throw DataFormatException.Folder(folder,
                        $"its class folder '{className}' has no counterpart among the {knownClasses.Count} training classes ({Abbreviate(knownClasses)}).");
                }
            }

            entries.AddRange(perFolder[k].Select(e => e with { Label = label }));
        }

        if (knownClasses is null)
        {
            if (classNames.Count == 0)
            {
                throw DataFormatException.Folder(folder, "none of its class folders holds a readable image.");
            }

            if (classNames.Count == 1)
            {
                throw DataFormatException.Folder(folder,
                    $"it has only one class ('{classNames[0]}'); a classifier needs at least two class folders, '{Path.Combine(folder, "<class>", "<image>")}'.");
            }
        }
        else if (entries.Count == 0)
        {
            throw DataFormatException.Folder(folder, "none of its class folders holds a readable image.");
        }

        if (options.ImageSize is null)
        {
            Entry first = entries[0];
            if (entries.FirstOrDefault(e => e.Header.Width != first.Header.Width || e.Header.Height != first.Header.Height) is Entry other)
            {
                throw DataFormatException.Folder(folder,
                    $"its images have different sizes: '{first.Path}' is {first.Header} and '{other.Path}' is {other.Header}; " +
                    "set an image size (ImageFolderOptions.ImageSize) to resize them all.");
            }
        }

        return new Listing(entries, knownClasses ?? classNames);
    }

    private static void CheckNotCifar(string folder)
    {
        bool Has(params string[] names) => names.Any(n => File.Exists(Path.Combine(folder, n)));
        string? what = Has("data_batch_1.bin", "test_batch.bin") ? "the binary CIFAR-10 batches"
            : Has("data_batch_1", "test_batch", "batches.meta") ? "the Python (pickled) CIFAR-10 batches"
            : Has("train.bin", "test.bin") ? "the binary CIFAR-100 files"
            : Has("meta") && Has("train", "test") ? "the Python (pickled) CIFAR-100 files"
            : null;
        if (what is not null)
        {
            string reader = what.Contains("CIFAR-10 ", StringComparison.Ordinal) ? "ImageDataset.LoadCifar10 (the sample: --data cifar10:DIR)" : "ImageDataset.LoadCifar100 (the sample: --data cifar100:DIR)";
            throw DataFormatException.Folder(folder, $"it holds {what}, not class folders of images: read it with {reader}.");
        }
    }

    private static void Invalid(string path, Exception problem, ImageFolderOptions options, ILogger logger)
    {
        if (!options.SkipInvalidImages)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(problem).Throw();
        }

        logger.LogWarning("Skipping image {File}: {Problem}", path, problem is DataFormatException d ? d.Problem : problem.Message);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Abbreviate(IReadOnlyList<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + ", …";

    /// <summary>Per class, round(portion·n) images (at most n − 1) chosen with the seed go to the test part.</summary>
    private static (List<Entry> Train, List<Entry> Test) SplitByPortion(List<Entry> entries, int classCount, ImageFolderOptions options)
    {
        var train = new List<Entry>();
        var test = new List<Entry>();
        ILookup<int, Entry> byClass = entries.ToLookup(e => e.Label);
        for (int k = 0; k < classCount; k++)
        {
            Entry[] members = byClass[k].ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            int held = Math.Min(members.Length - 1, (int)Math.Round(options.TestPortion * members.Length, MidpointRounding.AwayFromZero));
            int[] order = Enumerable.Range(0, members.Length).ToArray();
            DeterministicRandom.FromKeys(options.Seed, SplitSalt, k).Shuffle<int>(order);
            var isTest = new bool[members.Length];
            foreach (int i in order[..held])
            {
                isTest[i] = true;
            }

            for (int i = 0; i < members.Length; i++)
            {
                (isTest[i] ? test : train).Add(members[i]);
            }
        }

        return (train, test);
    }

    /// <summary>
    /// Orders the entries, decodes them into memory when they fit (or a statistics sample when they do not and no
    /// statistics are given), drops what fails to decode when skipping, and makes the data set.
    /// </summary>
    private static ImageFolderDataset Build(string name, string root, List<Entry> entries, IReadOnlyList<string> classNames,
        ImageFolderOptions options, IReadOnlyList<float>? mean, IReadOnlyList<float>? std, long part, ILogger logger)
    {
        int channels = options.Channels;
        int height = options.ImageSize ?? entries[0].Header.Height;
        int width = options.ImageSize ?? entries[0].Header.Width;
        long imageSize = (long)channels * height * width;
        if (imageSize > int.MaxValue)
        {
            throw DataFormatException.Folder(root, $"its images of {channels}x{height}x{width} are too large to handle (more than {int.MaxValue} bytes each).");
        }

        mean ??= options.Mean;
        std ??= options.Std;
        bool inMemory = imageSize * entries.Count <= Math.Min(options.InMemoryLimitBytes, Array.MaxLength);

        // What gets decoded now: everything for an in-memory set, else the statistics sample (if statistics are needed).
        int[] decodeNow = inMemory ? Enumerable.Range(0, entries.Count).ToArray()
            : mean is null ? ImageDataset.StatisticsSample(entries.Count, options.StatisticsSampleSize, options.Seed)
            : [];
        var decoded = new byte[inMemory ? decodeNow.Length : 0][];
        var sums = new long[decodeNow.Length][];
        var failures = new Exception?[decodeNow.Length];
        Parallel.For(0, decodeNow.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var buffer = new byte[imageSize];
            try
            {
                Entry e = entries[decodeNow[i]];
                ImageDecoder.Decode(e.Path, channels, options.ImageSize, options.ResizeMode, height, width, options.MaxSourcePixels, buffer);
                var own = new long[2 * channels];
                ImageDataset.AddImageSums(buffer, channels, height * width, own.AsSpan(0, channels), own.AsSpan(channels));
                sums[i] = own;
                if (inMemory)
                {
                    decoded[i] = buffer;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures[i] = e;
            }
        });

        var dropped = new HashSet<int>();
        for (int i = 0; i < decodeNow.Length; i++)
        {
            if (failures[i] is Exception problem)
            {
                Invalid(entries[decodeNow[i]].Path, problem, options, logger);
                dropped.Add(decodeNow[i]);
            }
        }

        if (mean is null || std is null)
        {
            var total = new long[channels];
            var squares = new long[channels];
            int used = 0;
            foreach (long[]? own in sums)
            {
                if (own is not null)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        total[c] += own[c];
                        squares[c] += own[channels + c];
                    }

                    used++;
                }
            }

            (mean, std) = ImageDataset.StatisticsFromSums(total, squares, (double)used * height * width);
        }

        // The kept entries, then their stored order.
        var keptIndices = Enumerable.Range(0, entries.Count).Where(i => !dropped.Contains(i)).ToArray();
        if (keptIndices.Length == 0)
        {
            throw DataFormatException.Folder(root, "none of its images could be decoded.");
        }

        if (dropped.Count > 0)
        {
            var before = new int[classNames.Count];
            var after = new int[classNames.Count];
            foreach (Entry e in entries)
            {
                before[e.Label]++;
            }

            foreach (int i in keptIndices)
            {
                after[entries[i].Label]++;
            }

            for (int k = 0; k < classNames.Count; k++)
            {
                if (before[k] > 0 && after[k] == 0)
                {
                    logger.LogWarning("Class {Class} of {Folder} has no images left after skipping unreadable ones", classNames[k], root);
                }
            }
        }

        if (options.Shuffle)
        {
            DeterministicRandom.FromKeys(options.Seed, OrderSalt, part).Shuffle<int>(keptIndices);
        }

        var files = keptIndices.Select(i => entries[i].Path).ToArray();
        var labels = keptIndices.Select(i => entries[i].Label).ToArray();
        byte[]? pixels = null;
        if (inMemory)
        {
            pixels = new byte[imageSize * keptIndices.Length];
            for (int n = 0; n < keptIndices.Length; n++)
            {
                decoded[keptIndices[n]].CopyTo(pixels, n * imageSize);
            }
        }

        return new ImageFolderDataset(name, root, files, labels, classNames, channels, height, width, options.ImageSize, options.ResizeMode,
            options.MaxSourcePixels, pixels, mean, std);
    }
}
