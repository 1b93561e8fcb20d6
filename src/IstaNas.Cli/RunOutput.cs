using IstaNas.Training;
using Microsoft.Extensions.Logging;
using Serilog;

namespace IstaNas.Cli;

/// <summary>
/// The output folder of a run and its log file (Serilog), held for the run (<see cref="RunFileWriter.HoldFolder"/>: a
/// second run into a folder in use is refused, naming the folder and the process). A folder this run created and left with
/// nothing but its log (a run that failed before its first epoch) is removed when the run ends.
/// </summary>
internal sealed class RunOutput : IDisposable
{
    private readonly bool _created;
    private readonly string _logPath;
    private readonly ILoggerFactory _loggers;
    private readonly IDisposable _hold;

    private RunOutput(string directory, string logName)
    {
        Directory = Path.GetFullPath(CheckFolder(directory, "--output"));
        _created = !System.IO.Directory.Exists(Directory);
        _hold = RunFileWriter.HoldFolder(Directory); // creates the folder; refused when another run writes there
        try
        {
            _logPath = Path.Combine(Directory, logName);
            Serilog.Core.Logger logger = new LoggerConfiguration()
                .MinimumLevel.Information()
                .WriteTo.File(_logPath, outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
                .CreateLogger();
            // The run's log file, plus the data readers' warnings (skipped images, empty class folders) on stderr.
            _loggers = LoggerFactory.Create(b => b.AddSerilog(logger, dispose: true).AddProvider(DataWarnings.Instance).SetMinimumLevel(LogLevel.Information));
            if (NnpackNotice.Note is string note) _loggers.CreateLogger("IstaNas.Cli").LogInformation("{Note}", note);
        }
        catch
        {
            _hold.Dispose();
            throw;
        }
    }

    /// <summary>The full path of the folder.</summary>
    public string Directory { get; }

    /// <summary>Loggers that write to the run's log file.</summary>
    public ILoggerFactory Loggers => _loggers;

    /// <summary>The log file.</summary>
    public string LogPath => _logPath;

    /// <summary>Creates (or reuses) the folder and opens the log.</summary>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public static RunOutput Open(string directory, string logName) => new(directory, logName);

    /// <summary>
    /// A folder a command may write into, or a one-line error naming <paramref name="option"/> and the real problem: an
    /// empty value, or a file where the folder (or one of its parents) would be.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    /// <exception cref="IOException">The path, or a folder above it, is a file.</exception>
    public static string CheckFolder(string directory, string option)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException($"{option} is empty; give a folder, or leave {option} out for the default.");
        if (directory.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"{option} '{directory.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a NUL character.");
        string full = Path.GetFullPath(directory);
        if (File.Exists(full))
            throw new IOException($"{option} '{directory}' is a file, not a folder.");
        for (string? parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
                throw new IOException($"{option} '{directory}': '{parent}' is a file, so no folder can be made under it.");
        }

        return directory;
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _hold.Dispose();
        if (!_created) return;
        try
        {
            string[] lockFiles = [Path.Combine(Directory, ".istanas-run.lock"), Path.Combine(Directory, ".istanas-run.owner")];
            if (System.IO.Directory.EnumerateFileSystemEntries(Directory).All(e => string.Equals(e, _logPath, StringComparison.Ordinal) || lockFiles.Contains(e)))
                System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing of value is in it; leaving it is harmless.
        }
    }
}
