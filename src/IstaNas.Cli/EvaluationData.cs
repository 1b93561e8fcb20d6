using IstaNas.Data;

namespace IstaNas.Cli;

/// <summary>The --data argument of <c>evaluate</c>: a training set and a separate test set.</summary>
internal static class EvaluationData
{
    public const string Help =
        "synthetic[:COUNT] (default 1000 training images; a test set of COUNT/5 drawn with another seed), cifar10:DIR, cifar100:DIR, " +
        "idx:IMAGES,LABELS (the last sixth is held out for testing), idx:IMAGES,LABELS,TEST_IMAGES,TEST_LABELS or folder:DIR " +
        "(your own images, DIR/train/<class>/<image> with DIR/test/<class>/... or DIR/val/<class>/...; or DIR/<class>/<image>, " +
        "of which a fixed, seeded fifth of every class is held out for testing)";

    /// <summary>Loads the training and test sets; throws ArgumentException with a one-line reason.</summary>
    public static (ImageDataset Train, ImageDataset Test) Load(string spec, int seed, ImageFolderOptions? folder = null,
        Microsoft.Extensions.Logging.ILogger? warnings = null)
    {
        (string kind, string rest) = DataSpec.Split(spec);
        switch (kind)
        {
            case "synthetic":
                int count = 1000;
                if (rest.Length > 0 && (!int.TryParse(rest, out count) || count < 10))
                    throw new ArgumentException($"--data synthetic:{rest}: the count must be an integer of at least 10.");
                int testCount = Math.Max(count / 5, 2);
                ImageDataset train = ImageDataset.CreateSynthetic(count, seed, name: $"synthetic-train-{count}");
                ImageDataset test = ImageDataset.CreateSynthetic(testCount, unchecked(seed + 7919), name: $"synthetic-test-{testCount}");
                return (train, WithStatistics(test, train));
            case "cifar10":
                DataSpec.RequireDirectory(rest, "cifar10");
                ImageDataset cifar10Train = ImageDataset.LoadCifar10(rest);
                return (cifar10Train, TestSet(() => ImageDataset.LoadCifar10(rest, train: false), "cifar10"));
            case "cifar100":
                DataSpec.RequireDirectory(rest, "cifar100");
                ImageDataset cifar100Train = ImageDataset.LoadCifar100(rest);
                return (cifar100Train, TestSet(() => ImageDataset.LoadCifar100(rest, train: false), "cifar100"));
            case "folder":
                DataSpec.RequireDirectory(rest, "folder", "the image folder");
                // The split seed is fixed, so runs with different --seed values hold out the same images.
                var (folderTrain, folderTest) = ImageDataset.LoadImageFolderTrainTest(rest, folder, warnings);
                return (folderTrain, folderTest);
            case "idx":
                string[] parts = rest.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is not (2 or 4) || parts.Any(string.IsNullOrEmpty))
                    throw new ArgumentException("--data idx: needs IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS.");
                foreach (string p in parts)
                    if (!File.Exists(p)) throw new ArgumentException($"--data idx: file '{p}' does not exist.");
                ImageDataset all = ImageDataset.LoadIdx(parts[0], parts[1], channels: 3, padTo: 32);
                if (parts.Length == 4)
                    return (all, WithStatistics(ImageDataset.LoadIdx(parts[2], parts[3], channels: 3, padTo: 32), all));
                var (first, second) = all.Split(5.0 / 6.0);
                if (first.Count == 0 || second.Count == 0)
                    throw new ArgumentException($"--data idx: {all.Count} images are too few to hold out a test set.");
                return (first, second);
            default:
                throw new ArgumentException($"--data '{spec}' is not known; use {Help}.");
        }
    }

    /// <summary>The test set normalised with the training set's statistics, as the CIFAR readers do.</summary>
    private static ImageDataset WithStatistics(ImageDataset test, ImageDataset train) => test.WithNormalization(train.Mean, train.Std);

    /// <summary>The test set; a missing test file is reported as the evaluation's missing input, in one line.</summary>
    private static ImageDataset TestSet(Func<ImageDataset> load, string kind)
    {
        try
        {
            return load();
        }
        catch (FileNotFoundException ex)
        {
            throw new ArgumentException($"--data {kind}: the folder has no test set, and evaluation needs it: {ex.Message}", ex);
        }
    }
}
