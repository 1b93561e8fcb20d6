using IstaNas.Data;

namespace IstaNas.Sample;

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
                ImageDataset train = Synthetic.Create(count, seed, new SyntheticOptions { Name = $"synthetic-train-{count}" });
                ImageDataset test = Synthetic.Create(Math.Max(count / 5, 2), unchecked(seed + 7919), new SyntheticOptions { Name = $"synthetic-test-{Math.Max(count / 5, 2)}" });
                return (train, WithStatistics(test, train));
            case "cifar10":
                RequireTestFile(rest, Cifar10.FindTestFile, $"{Cifar10.TestFile} or {Cifar10.PythonTestFile}", "cifar10");
                return (Cifar10.LoadTrain(rest), Cifar10.LoadTest(rest));
            case "cifar100":
                RequireTestFile(rest, Cifar100.FindTestFile, $"{Cifar100.TestFile} or {Cifar100.PythonTestFile}", "cifar100");
                return (Cifar100.LoadTrain(rest), Cifar100.LoadTest(rest));
            case "folder":
                DataSpec.RequireDirectory(rest, "folder", "the image folder");
                // The split seed is fixed, so runs with different --seed values hold out the same images.
                var (folderTrain, folderTest) = ImageFolder.LoadTrainTest(rest, folder, warnings);
                return (folderTrain, folderTest);
            case "idx":
                string[] parts = rest.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is not (2 or 4) || parts.Any(string.IsNullOrEmpty))
                    throw new ArgumentException("--data idx: needs IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS.");
                foreach (string p in parts)
                    if (!File.Exists(p)) throw new ArgumentException($"--data idx: file '{p}' does not exist.");
                var options = new IdxLoadOptions { Channels = 3, PadTo = 32 };
                ImageDataset all = Idx.Load(parts[0], parts[1], options);
                if (parts.Length == 4)
                    return (all, WithStatistics(Idx.Load(parts[2], parts[3], options), all));
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

    private static void RequireTestFile(string dir, Func<string, string?> find, string files, string kind)
    {
        DataSpec.RequireDirectory(dir, kind);
        if (find(dir) is null)
            throw new ArgumentException($"--data {kind}: '{dir}' has no test file ({files}); evaluation needs it.");
    }
}
