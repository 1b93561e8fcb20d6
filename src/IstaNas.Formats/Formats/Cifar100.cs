using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// Reader for CIFAR-100 in either of its two standard folders: the binary version (<c>cifar-100-binary</c>:
/// <c>train.bin</c> and <c>test.bin</c>, each a sequence of records of 2 label bytes (coarse 0–19, fine 0–99) and 3072
/// pixel bytes (32×32 red, green, blue planes, row-major)) or the Python version (<c>cifar-100-python</c>: the pickled
/// dicts <c>train</c>, <c>test</c> and <c>meta</c>, read by a small built-in reader that runs no Python code).
/// Both labels are validated whichever is used. The format is chosen by which files the folder holds.
/// </summary>
internal static class Cifar100
{
    /// <summary>Number of fine classes.</summary>
    public const int FineClassCount = 100;

    /// <summary>Number of coarse classes.</summary>
    public const int CoarseClassCount = 20;

    /// <summary>Bytes per record: 2 label bytes plus 3072 pixel bytes.</summary>
    public const int RecordLength = 2 + CifarBinary.ImageBytes;

    /// <summary>File name of the training set.</summary>
    public const string TrainFile = "train.bin";

    /// <summary>File name of the test set.</summary>
    public const string TestFile = "test.bin";

    /// <summary>File name of the training set (Python version).</summary>
    public const string PythonTrainFile = "train";

    /// <summary>File name of the test set (Python version).</summary>
    public const string PythonTestFile = "test";

    /// <summary>File name of the pickled class names (Python version).</summary>
    public const string PythonMetaFile = "meta";

    /// <summary>The 100 fine class names, indexed by fine label.</summary>
    public static IReadOnlyList<string> FineClassNames { get; } =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy",
        "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee",
        "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant",
        "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower",
        "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
        "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate",
        "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark",
        "shrew", "skunk", "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar", "sunflower",
        "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor", "train", "trout", "tulip",
        "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm"
    ];

    /// <summary>The 20 coarse class (superclass) names, indexed by coarse label.</summary>
    public static IReadOnlyList<string> CoarseClassNames { get; } =
    [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
        "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
        "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
        "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees", "vehicles_1",
        "vehicles_2"
    ];

    /// <summary>The standard CIFAR-100 per-channel mean (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.5071f, 0.4865f, 0.4409f];

    /// <summary>The standard CIFAR-100 per-channel standard deviation (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Std { get; } = [0.2673f, 0.2564f, 0.2762f];

    /// <summary>Loads <c>train.bin</c> (or the Python <c>train</c>) from <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the binary files.</param>
    /// <param name="labels">Fine (100 classes, default) or coarse (20 classes) labels.</param>
    /// <returns>The data set named "cifar100-train" (or "cifar100-coarse-train").</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="DataFormatException">The file is empty, truncated or has a label out of range.</exception>
    public static ImageDataset LoadTrain(string directory, Cifar100LabelKind labels = Cifar100LabelKind.Fine) =>
        Load(directory, TrainFile, PythonTrainFile, labels, "train");

    /// <summary>Loads <c>test.bin</c> (or the Python <c>test</c>) from <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the binary files.</param>
    /// <param name="labels">Fine (100 classes, default) or coarse (20 classes) labels.</param>
    /// <returns>The data set named "cifar100-test" (or "cifar100-coarse-test").</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="DataFormatException">The file is empty, truncated or has a label out of range.</exception>
    public static ImageDataset LoadTest(string directory, Cifar100LabelKind labels = Cifar100LabelKind.Fine) =>
        Load(directory, TestFile, PythonTestFile, labels, "test");

    /// <summary>The test file of the CIFAR-100 folder <paramref name="directory"/> (binary or Python version), or null when it has none.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The path of <c>test.bin</c> or <c>test</c>, or null.</returns>
    public static string? FindTestFile(string directory) => DataFiles.FirstExisting(directory, TestFile, PythonTestFile);

    private static InMemoryImageDataset Load(string directory, string file, string pythonFile, Cifar100LabelKind kind, string part)
    {
        DataFiles.RequireDirectory(directory);
        bool fine = kind == Cifar100LabelKind.Fine;
        string name = fine ? $"cifar100-{part}" : $"cifar100-coarse-{part}";
        int classCount = fine ? FineClassCount : CoarseClassCount;
        string binary = Path.Combine(directory, file), python = Path.Combine(directory, pythonFile);
        if (!File.Exists(binary) && File.Exists(python))
        {
            // Both label lists are validated, as the binary reader validates both label bytes.
            var (pyPixels, pyLabels) = CifarPython.Read([python], fine ? "fine_labels" : "coarse_labels", classCount,
                [fine ? ("coarse_labels", CoarseClassCount) : ("fine_labels", FineClassCount)]);
            string[] names = CifarPython.ReadNames(Path.Combine(directory, PythonMetaFile), fine ? "fine_label_names" : "coarse_label_names", classCount)
                ?? [.. fine ? FineClassNames : CoarseClassNames];
            return new InMemoryImageDataset(name, pyPixels, pyLabels, 3, 32, 32, classCount, Mean, Std, names);
        }

        var (pixels, labels) = CifarBinary.Read([binary], 2, fine ? 1 : 0,
            [CoarseClassCount, FineClassCount], ["coarse", "fine"]);
        return new InMemoryImageDataset(name, pixels, labels, 3, 32, 32, classCount, Mean, Std, fine ? FineClassNames : CoarseClassNames);
    }
}
