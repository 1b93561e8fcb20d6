using Microsoft.Extensions.Logging;

namespace IstaNas.Cli;

/// <summary>Prints the data readers' warnings (skipped images and class folders) on stderr as "warning: …" lines.</summary>
internal sealed class DataWarnings : ILoggerProvider
{
    public static DataWarnings Instance { get; } = new();

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("IstaNas.Data", StringComparison.Ordinal) ? new StderrLogger() : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class StderrLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Console.Error.WriteLine($"warning: {formatter(state, exception).ReplaceLineEndings(" ")}");
        }
    }
}
