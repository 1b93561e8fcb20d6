using Microsoft.Extensions.Logging;
using Serilog;

namespace IstaNas.Sample;

/// <summary>
/// The output folder of a run and its log file (Serilog). A folder this run created and left with nothing but its log
/// (a run that failed before its first epoch) is removed when the run ends.
/// </summary>
internal sealed class RunOutput : IDisposable
{
    private readonly bool _created;
    private readonly string _logPath;
    private readonly ILoggerFactory _loggers;

    private RunOutput(string directory, string logName)
    {
        Directory = Path.GetFullPath(directory);
        _created = !System.IO.Directory.Exists(Directory);
        System.IO.Directory.CreateDirectory(Directory);
        _logPath = Path.Combine(Directory, logName);
        Serilog.Core.Logger logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.File(_logPath, outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        // The run's log file, plus the data readers' warnings (skipped images, empty class folders) on stderr.
        _loggers = LoggerFactory.Create(b => b.AddSerilog(logger, dispose: true).AddProvider(DataWarnings.Instance).SetMinimumLevel(LogLevel.Information));
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

    public void Dispose()
    {
        _loggers.Dispose();
        if (!_created) return;
        try
        {
            if (System.IO.Directory.EnumerateFileSystemEntries(Directory).All(e => string.Equals(e, _logPath, StringComparison.Ordinal)))
                System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing of value is in it; leaving it is harmless.
        }
    }
}
