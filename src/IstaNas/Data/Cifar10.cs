namespace IstaNas.Data;

/// <summary>
/// Reader for the CIFAR-10 binary version: <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> and <c>test_batch.bin</c>,
/// each a sequence of records of 1 label byte (0–9) and 3072 pixel bytes (32×32 red plane, green plane, blue plane,
/// row-major).
/// </summary>
public static class Cifar10
{
    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Bytes per record: 1 label byte plus 3072 pixel bytes.</summary>
    public const int RecordLength = 1 + CifarBinary.ImageBytes;

    /// <summary>File names of the five training batches.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>File name of the test batch.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>The standard CIFAR-10 per-channel mean (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.4914f, 0.4822f, 0.4465f];

    /// <summary>The standard CIFAR-10 per-channel standard deviation (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Std { get; } = [0.2470f, 0.2435f, 0.2616f];

    /// <summary>Loads the 50,000 training images from the five training batches in <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the binary batches.</param>
    /// <returns>The data set named "cifar10-train" with the standard mean/std.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A batch file is missing.</exception>
    /// <exception cref="DataFormatException">A batch file is empty, truncated or has a label above 9.</exception>
    public static ImageDataset LoadTrain(string directory) =>
        LoadFiles(directory, TrainFiles, "cifar10-train");

    /// <summary>Loads the 10,000 test images from <c>test_batch.bin</c> in <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the binary batches.</param>
    /// <returns>The data set named "cifar10-test" with the standard mean/std.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The test file is missing.</exception>
    /// <exception cref="DataFormatException">The test file is empty, truncated or has a label above 9.</exception>
    public static ImageDataset LoadTest(string directory) =>
        LoadFiles(directory, [TestFile], "cifar10-test");

    /// <summary>Loads any CIFAR-10 binary files, concatenated in the given order.</summary>
    /// <param name="directory">Directory holding the files.</param>
    /// <param name="fileNames">File names relative to <paramref name="directory"/>.</param>
    /// <param name="name">Name of the resulting data set.</param>
    /// <returns>The data set with the standard mean/std.</returns>
    public static ImageDataset LoadFiles(string directory, IReadOnlyList<string> fileNames, string name)
    {
        DataFiles.RequireDirectory(directory);
        ArgumentNullException.ThrowIfNull(fileNames);
        var paths = fileNames.Select(f => Path.Combine(directory, f)).ToArray();
        var (pixels, labels) = CifarBinary.Read(paths, 1, 0, [ClassCount], ["class"]);
        return new ImageDataset(name, pixels, labels, 3, 32, 32, ClassCount, Mean, Std);
    }
}
