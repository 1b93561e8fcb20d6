namespace IstaNas.Data;

/// <summary>
/// Thrown when a data folder exists but its layout is not what the reader expects (an image folder without class
/// subfolders, a class folder without images, a single class, no image files at all, …). It derives from
/// <see cref="IOException"/>, like <see cref="DataFormatException"/> for a malformed file. The message always names the
/// folder and the problem.
/// </summary>
public sealed class DataFolderException : IOException
{
    /// <summary>Creates the exception for a problem with <paramref name="folderPath"/>.</summary>
    /// <param name="folderPath">The folder whose layout is invalid.</param>
    /// <param name="problem">What is wrong, in words.</param>
    public DataFolderException(string folderPath, string problem)
        : base($"Invalid image folder '{folderPath}': {problem}")
    {
        FolderPath = folderPath;
        Problem = problem;
    }

    /// <summary>The folder whose layout is invalid.</summary>
    public string FolderPath { get; }

    /// <summary>The problem, without the folder name.</summary>
    public string Problem { get; }
}
