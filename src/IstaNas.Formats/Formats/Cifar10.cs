using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// Reader for CIFAR-10 in either of its two standard folders:
/// <list type="bullet">
/// <item>the binary version (<c>cifar-10-batches-bin</c>): <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> and
/// <c>test_batch.bin</c>, each a sequence of records of 1 label byte (0–9) and 3072 pixel bytes (32×32 red plane, green
/// plane, blue plane, row-major);</item>
/// <item>the Python version (<c>cifar-10-batches-py</c>): <c>data_batch_1</c> … <c>data_batch_5</c>, <c>test_batch</c>
/// and <c>batches.meta</c>, pickled dicts with a numpy uint8 array <c>data</c> (N×3072, same layout) and a list
/// <c>labels</c>; the class names come from <c>batches.meta</c>. The pickles are read by a small built-in reader that
/// runs no Python code and accepts nothing but this structure.</item>
/// </list>
/// The format is chosen by which files the folder holds (the binary one when both are there).
/// </summary>
internal static class Cifar10
{
    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Bytes per record: 1 label byte plus 3072 pixel bytes.</summary>
    public const int RecordLength = 1 + CifarBinary.ImageBytes;

    /// <summary>File names of the five training batches (binary version).</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>File name of the test batch (binary version).</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>File names of the five training batches (Python version).</summary>
    public static IReadOnlyList<string> PythonTrainFiles { get; } =
        ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"];

    /// <summary>File name of the test batch (Python version).</summary>
    public const string PythonTestFile = "test_batch";

    /// <summary>File name of the pickled class names (Python version).</summary>
    public const string PythonMetaFile = "batches.meta";

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The standard CIFAR-10 per-channel mean (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.4914f, 0.4822f, 0.4465f];

    /// <summary>The standard CIFAR-10 per-channel standard deviation (R, G, B) of pixel/255.</summary>
    public static IReadOnlyList<float> Std { get; } = [0.2470f, 0.2435f, 0.2616f];

    /// <summary>Loads the 50,000 training images from the five training batches in <paramref name="directory"/> (binary or Python version).</summary>
    /// <param name="directory">Directory holding the batches.</param>
    /// <returns>The data set named "cifar10-train" with the standard mean/std and the class names.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A batch file is missing, or the folder holds neither version.</exception>
    /// <exception cref="DataFormatException">A batch file is empty, truncated, not the expected pickle, or has a label above 9.</exception>
    public static ImageDataset LoadTrain(string directory) =>
        IsPython(directory, TrainFiles[0], PythonTrainFiles[0])
            ? LoadPython(directory, PythonTrainFiles, "cifar10-train")
            : LoadFiles(directory, TrainFiles, "cifar10-train");

    /// <summary>Loads the 10,000 test images from <c>test_batch.bin</c> (or the Python <c>test_batch</c>) in <paramref name="directory"/>.</summary>
    /// <param name="directory">Directory holding the batches.</param>
    /// <returns>The data set named "cifar10-test" with the standard mean/std and the class names.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The test file is missing.</exception>
    /// <exception cref="DataFormatException">The test file is empty, truncated, not the expected pickle, or has a label above 9.</exception>
    public static ImageDataset LoadTest(string directory) =>
        IsPython(directory, TestFile, PythonTestFile)
            ? LoadPython(directory, [PythonTestFile], "cifar10-test")
            : LoadFiles(directory, [TestFile], "cifar10-test");

    /// <summary>The test file of the CIFAR-10 folder <paramref name="directory"/> (binary or Python version), or null when it has none.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The path of <c>test_batch.bin</c> or <c>test_batch</c>, or null.</returns>
    public static string? FindTestFile(string directory) => DataFiles.FirstExisting(directory, TestFile, PythonTestFile);

    /// <summary>Loads any CIFAR-10 binary files, concatenated in the given order.</summary>
    /// <param name="directory">Directory holding the files.</param>
    /// <param name="fileNames">File names relative to <paramref name="directory"/>.</param>
    /// <param name="name">Name of the resulting data set.</param>
    /// <returns>The data set with the standard mean/std and the class names.</returns>
    internal static InMemoryImageDataset LoadFiles(string directory, IReadOnlyList<string> fileNames, string name)
    {
        DataFiles.RequireDirectory(directory);
        ArgumentNullException.ThrowIfNull(fileNames);
        var paths = fileNames.Select(f => Path.Combine(directory, f)).ToArray();
        var (pixels, labels) = CifarBinary.Read(paths, 1, 0, [ClassCount], ["class"]);
        return new InMemoryImageDataset(name, pixels, labels, 3, 32, 32, ClassCount, Mean, Std, ClassNames);
    }

    /// <summary>Loads any CIFAR-10 Python-version (pickled) batches, concatenated in the given order.</summary>
    /// <param name="directory">Directory holding the files (and, optionally, <c>batches.meta</c> with the class names).</param>
    /// <param name="fileNames">File names relative to <paramref name="directory"/>.</param>
    /// <param name="name">Name of the resulting data set.</param>
    /// <returns>The data set with the standard mean/std and the class names.</returns>
    /// <exception cref="DataFormatException">A file is not a pickled CIFAR batch (the message names the file and the problem).</exception>
    internal static InMemoryImageDataset LoadPython(string directory, IReadOnlyList<string> fileNames, string name)
    {
        DataFiles.RequireDirectory(directory);
        ArgumentNullException.ThrowIfNull(fileNames);
        var paths = fileNames.Select(f => Path.Combine(directory, f)).ToArray();
        foreach (string path in paths)
        {
            DataFiles.RequireFile(path);
        }

        var (pixels, labels) = CifarPython.Read(paths, "labels", ClassCount);
        string[] names = CifarPython.ReadNames(Path.Combine(directory, PythonMetaFile), "label_names", ClassCount) ?? [.. ClassNames];
        return new InMemoryImageDataset(name, pixels, labels, 3, 32, 32, ClassCount, Mean, Std, names);
    }

    /// <summary>
    /// Whether <paramref name="directory"/> holds the Python version: its first file exists and the binary one does not.
    /// When neither exists the folder is explained in the exception.
    /// </summary>
    private static bool IsPython(string directory, string binaryFile, string pythonFile)
    {
        DataFiles.RequireDirectory(directory);
        if (File.Exists(Path.Combine(directory, binaryFile)))
        {
            return false;
        }

        if (File.Exists(Path.Combine(directory, pythonFile)))
        {
            return true;
        }

        bool otherBinary = TrainFiles.Append(TestFile).Any(f => File.Exists(Path.Combine(directory, f)));
        if (otherBinary)
        {
            return false; // the binary version with this file missing: reported by the binary reader
        }

        string hint = string.Empty;
        foreach (string sub in new[] { "cifar-10-batches-bin", "cifar-10-batches-py" })
        {
            if (Directory.Exists(Path.Combine(directory, sub)))
            {
                hint = $" It has a subfolder '{sub}': use '{Path.Combine(directory, sub)}'.";
                break;
            }
        }

        string missing = Path.Combine(directory, binaryFile);
        throw new FileNotFoundException(
            $"'{directory}' holds neither the binary CIFAR-10 version ({binaryFile}) nor the Python version ({pythonFile}).{hint}", missing);
    }
}
