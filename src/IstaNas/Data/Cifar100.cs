namespace IstaNas.Data;

/// <summary>
/// Reader for the CIFAR-100 binary version: <c>train.bin</c> and <c>test.bin</c>, each a sequence of records of
/// 2 label bytes (coarse 0–19, fine 0–99) and 3072 pixel bytes (32×32 red, green, blue planes, row-major).
/// Both label bytes are validated whichever is used.
/// </summary>
public static class Cifar100
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

    /// <summary>The standard CIFAR-100 per-channel mean (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.5071f, 0.4865f, 0.4409f];

    /// <summary>The standard CIFAR-100 per-channel standard deviation (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Std { get; } = [0.2673f, 0.2564f, 0.2762f];

    /// <summary>Loads <c>train.bin</c> from <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the binary files.</param>
    /// <param name="labels">Fine (100 classes, default) or coarse (20 classes) labels.</param>
    /// <returns>The data set named "cifar100-train" (or "cifar100-coarse-train").</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="DataFormatException">The file is empty, truncated or has a label out of range.</exception>
    public static ImageDataset LoadTrain(string directory, Cifar100LabelKind labels = Cifar100LabelKind.Fine) =>
        Load(directory, TrainFile, labels, "train");

    /// <summary>Loads <c>test.bin</c> from <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the binary files.</param>
    /// <param name="labels">Fine (100 classes, default) or coarse (20 classes) labels.</param>
    /// <returns>The data set named "cifar100-test" (or "cifar100-coarse-test").</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="DataFormatException">The file is empty, truncated or has a label out of range.</exception>
    public static ImageDataset LoadTest(string directory, Cifar100LabelKind labels = Cifar100LabelKind.Fine) =>
        Load(directory, TestFile, labels, "test");

    private static ImageDataset Load(string directory, string file, Cifar100LabelKind kind, string part)
    {
        DataFiles.RequireDirectory(directory);
        bool fine = kind == Cifar100LabelKind.Fine;
        var (pixels, labels) = CifarBinary.Read([Path.Combine(directory, file)], 2, fine ? 1 : 0,
            [CoarseClassCount, FineClassCount], ["coarse", "fine"]);
        string name = fine ? $"cifar100-{part}" : $"cifar100-coarse-{part}";
        return new ImageDataset(name, pixels, labels, 3, 32, 32, fine ? FineClassCount : CoarseClassCount, Mean, Std);
    }
}
