namespace IstaNas.Training;

/// <summary>What saving a run's results wrote, and what it could not write (a failed file never stops the others).</summary>
/// <param name="Written">Full paths of the files written, in order.</param>
/// <param name="Failed">The files that could not be written, each with the reason.</param>
public sealed record SavedFiles(IReadOnlyList<string> Written, IReadOnlyList<FileFailure> Failed)
{
    /// <summary>True when every file was written.</summary>
    public bool AllWritten => Failed.Count == 0;
}

/// <summary>A result file that could not be written.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">The error message (disk full, read-only folder, permission ...).</param>
public sealed record FileFailure(string Path, string Reason);
