namespace IstaNas.Data;

/// <summary>
/// Thrown when a data file exists but its contents do not match the expected format (empty, truncated, wrong magic
/// number, label out of range, inconsistent counts), or when a data folder exists but its layout is not what the reader
/// expects (an image folder without class subfolders, a class folder without images, a single class, no image files at
/// all, ...). It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed. The message
/// always names the file or folder and the problem.
/// </summary>
public sealed class DataFormatException : IOException
{
    /// <summary>Creates the exception for a problem in <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file whose contents are invalid.</param>
    /// <param name="problem">What is wrong, in words.</param>
    public DataFormatException(string filePath, string problem)
        : base($"Invalid data file '{filePath}': {problem}")
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file whose contents are invalid (or the folder whose layout is).</summary>
    public string FilePath { get; }

    /// <summary>The problem, without the file name.</summary>
    public string Problem { get; }

    /// <summary>An image folder whose layout is invalid.</summary>
    /// <param name="folderPath">The folder.</param>
    /// <param name="problem">What is wrong, in words.</param>
    /// <returns>The exception, with the message "Invalid image folder '...': ...".</returns>
    internal static DataFormatException Folder(string folderPath, string problem) => new(folderPath, problem, $"Invalid image folder '{folderPath}': {problem}");

    private DataFormatException(string path, string problem, string message)
        : base(message)
    {
        FilePath = path;
        Problem = problem;
    }
}
