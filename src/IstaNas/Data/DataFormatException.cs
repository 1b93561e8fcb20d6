namespace IstaNas.Data;

/// <summary>
/// Thrown when a data file exists but its contents do not match the expected format
/// (empty, truncated, wrong magic number, label out of range, inconsistent counts). It derives from
/// <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed.
/// The message always names the file and the problem.
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

    /// <summary>The file whose contents are invalid.</summary>
    public string FilePath { get; }

    /// <summary>The problem, without the file name.</summary>
    public string Problem { get; }
}
