using IstaNas.Data;
using Microsoft.Extensions.Logging;

namespace IstaNas.Formats;

/// <summary>The listing of an image folder: its class folders, their image files and headers, and the layout checks that explain a wrong folder.</summary>
internal static partial class ImageFolder
{
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
            string reader = what.Contains("CIFAR-10 ", StringComparison.Ordinal) ? "ImageDataset.LoadCifar10 (the CLI: --data cifar10:DIR)" : "ImageDataset.LoadCifar100 (the CLI: --data cifar100:DIR)";
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
}
