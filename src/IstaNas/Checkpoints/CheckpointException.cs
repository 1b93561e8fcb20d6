namespace IstaNas.Checkpoints;

/// <summary>
/// A checkpoint file cannot be used: it is not a checkpoint, has an unsupported format version, is truncated or
/// corrupted, is of another kind, or describes a different run (fingerprint mismatch). The message names the file
/// and the problem. Derives from <see cref="IOException"/>.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="problem">What is wrong, one sentence.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointException(string path, string problem, Exception? innerException = null)
        : base($"Checkpoint '{path}': {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
