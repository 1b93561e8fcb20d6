using IstaNas.Data;

namespace IstaNas.Sample;

/// <summary>The --data argument of <c>evaluate</c>: a training set and a separate test set.</summary>
internal static class EvaluationData
{
    public const string Help =
        "synthetic[:COUNT] (default 1000 training images; a test set of COUNT/5 drawn with another seed), cifar10:DIR, cifar100:DIR, " +
        "idx:IMAGES,LABELS (the last sixth is held out for testing) or idx:IMAGES,LABELS,TEST_IMAGES,TEST_LABELS";

    /// <summary>Loads the training and test sets; throws ArgumentException with a one-line reason.</summary>
    public static (ImageDataset Train, ImageDataset Test) Load(string spec, int seed)
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
                RequireFile(rest, Cifar10.TestFile, "cifar10");
                return (Cifar10.LoadTrain(rest), Cifar10.LoadTest(rest));
            case "cifar100":
                RequireFile(rest, Cifar100.TestFile, "cifar100");
                return (Cifar100.LoadTrain(rest), Cifar100.LoadTest(rest));
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

    private static void RequireFile(string dir, string file, string kind)
    {
        DataSpec.RequireDirectory(dir, kind);
        if (!File.Exists(Path.Combine(dir, file)))
            throw new ArgumentException($"--data {kind}: the test file '{Path.Combine(dir, file)}' does not exist; evaluation needs it.");
    }
}
