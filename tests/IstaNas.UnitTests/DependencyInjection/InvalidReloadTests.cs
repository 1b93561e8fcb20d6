using System.Collections.Concurrent;
using IstaNas.Strategies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.DependencyInjection;

/// <summary>
/// A configuration reload with an invalid value throws nothing (unguarded, <c>IOptionsMonitor</c> throws from the reload
/// callback and drops its value, so every later read throws too): the monitor and the next builders keep the last valid
/// values, a warning names the option and the failure, and a later valid reload is taken. An invalid value at start
/// still fails at start.
/// </summary>
public class InvalidReloadTests
{
    private const string Category = "IstaNas.Strategies.TwoStageOptions";

    [Fact]
    public void AnInvalidReloadKeepsTheLastValidValueAndWarnsThenAValidReloadIsTaken()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IstaNas:TwoStage:Epochs"] = "5" }).Build();
        var log = new CapturingLoggerProvider();
        using ServiceProvider provider = Services(configuration, log);
        var monitor = provider.GetRequiredService<IOptionsMonitor<TwoStageOptions>>();
        Assert.Equal(5, monitor.CurrentValue.Epochs);
        Assert.Equal(5, BuiltEpochs(provider)); // every options class read once, as ValidateOnStart does in a host
        var changes = new List<int>();
        using IDisposable? subscription = monitor.OnChange(o => changes.Add(o.Epochs));

        // Out of range (the validator refuses it), then not a number (the binder cannot convert it).
        foreach (string invalid in new[] { "0", "many" })
        {
            configuration["IstaNas:TwoStage:Epochs"] = invalid;
            Assert.Null(Record.Exception(configuration.Reload));
            Assert.Equal(5, monitor.CurrentValue.Epochs);
            Assert.Equal(5, BuiltEpochs(provider));
        }
        Assert.Empty(changes);
        Assert.Collection(
            log.Entries.Where(e => e.Category == Category),
            e => Assert.Contains("TwoStage.Epochs", e.Message, StringComparison.Ordinal),
            e => Assert.Contains("'IstaNas:TwoStage:Epochs'", e.Message, StringComparison.Ordinal));
        Assert.All(log.Entries.Where(e => e.Category == Category), e =>
        {
            Assert.Equal(LogLevel.Warning, e.Level);
            Assert.Contains("TwoStageOptions", e.Message, StringComparison.Ordinal);
            Assert.Contains("last valid", e.Message, StringComparison.Ordinal);
        });

        configuration["IstaNas:TwoStage:Epochs"] = "9";
        configuration.Reload();
        Assert.Equal([9], changes);
        Assert.Equal(9, monitor.CurrentValue.Epochs);
        Assert.Equal(9, BuiltEpochs(provider));
        Assert.Equal(2, log.Entries.Count(e => e.Category == Category));
    }

    [Fact]
    public void AJsonFileReloadedWithAnInvalidValueOrATypoKeepsTheLastValidValues()
    {
        string path = Path.Combine(Path.GetTempPath(), $"istanas-reload-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 5, "BatchSize": 32 } } }""");
            IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
            var log = new CapturingLoggerProvider();
            using ServiceProvider provider = Services(configuration, log);
            var monitor = provider.GetRequiredService<IOptionsMonitor<TwoStageOptions>>();
            Assert.Equal((5, 32), (monitor.CurrentValue.Epochs, monitor.CurrentValue.BatchSize));
            Assert.Equal(5, BuiltEpochs(provider)); // every options class read once, as ValidateOnStart does in a host

            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 7, "BatchSize": 0 } } }""");
            Assert.Null(Record.Exception(configuration.Reload));
            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 7, "BatchSize": 16, "Epoch": 3 } } }""");
            Assert.Null(Record.Exception(configuration.Reload));
            Assert.Equal((5, 32), (monitor.CurrentValue.Epochs, monitor.CurrentValue.BatchSize));
            Assert.Equal(5, BuiltEpochs(provider));
            string[] warnings = [.. log.Entries.Where(e => e.Category == Category && e.Level == LogLevel.Warning).Select(e => e.Message)];
            Assert.Equal(2, warnings.Length);
            Assert.Contains("TwoStage.BatchSize", warnings[0], StringComparison.Ordinal);
            Assert.Contains("'IstaNas:TwoStage:Epoch'", warnings[1], StringComparison.Ordinal);

            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 7, "BatchSize": 16 } } }""");
            configuration.Reload();
            Assert.Equal((7, 16), (monitor.CurrentValue.Epochs, monitor.CurrentValue.BatchSize));
            Assert.Equal(7, BuiltEpochs(provider));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AWatchedJsonFileEditedToAnInvalidValueKeepsTheLastValidValue()
    {
        // reloadOnChange: the file watcher reloads on a task of its own. Unguarded, the monitor's exception is lost there
        // and the monitor has dropped its value, so the next reader (the next SearchBuilder) throws.
        string directory = Directory.CreateTempSubdirectory("istanas-watch-").FullName;
        string path = Path.Combine(directory, "appsettings.json");
        try
        {
            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 5 } } }""");
            IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: true).Build();
            var log = new CapturingLoggerProvider();
            using ServiceProvider provider = Services(configuration, log);
            var monitor = provider.GetRequiredService<IOptionsMonitor<TwoStageOptions>>();
            Assert.Equal(5, BuiltEpochs(provider));

            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 0 } } }""");
            Assert.True(WaitFor(() => configuration["IstaNas:TwoStage:Epochs"] == "0"), "The watcher did not reload the file.");
            Assert.True(WaitFor(() => log.Entries.Any(e => e.Category == Category && e.Level == LogLevel.Warning)), "No warning after the invalid edit.");
            Assert.Equal(5, monitor.CurrentValue.Epochs);
            Assert.Equal(5, BuiltEpochs(provider));

            File.WriteAllText(path, """{ "IstaNas": { "TwoStage": { "Epochs": 7 } } }""");
            Assert.True(WaitFor(() => monitor.CurrentValue.Epochs == 7), "The valid edit was not taken.");
            Assert.Equal(7, BuiltEpochs(provider));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void WithNoValidValueYetTheInvalidValueStillThrowsWhenRead()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IstaNas:TwoStage:Epochs"] = "5" }).Build();
        using ServiceProvider provider = Services(configuration, new CapturingLoggerProvider());
        configuration["IstaNas:TwoStage:Epochs"] = "0";
        Assert.Null(Record.Exception(configuration.Reload)); // nothing read yet: no monitor to keep a value
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<TwoStageOptions>>().CurrentValue);
        Assert.Contains(ex.Failures, f => f.StartsWith("TwoStage.Epochs:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInvalidValueAtStartStillStopsTheHostWithTheValidatorsMessage()
    {
        var ex = await IstaNasHost.StartFails<OptionsValidationException>("IstaNas:TwoStage:Epochs", "0");
        Assert.Contains(ex.Failures, f => f.StartsWith("TwoStage.Epochs:", StringComparison.Ordinal) && f.EndsWith("(value: 0)", StringComparison.Ordinal));
    }

    private static ServiceProvider Services(IConfiguration configuration, CapturingLoggerProvider log)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(log));
        services.AddIstaNas(configuration.GetSection("IstaNas"));
        return services.BuildServiceProvider();
    }

    /// <summary>Polls <paramref name="condition"/> for up to 30 s (the file watcher reloads after its own delay).</summary>
    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    private static int BuiltEpochs(IServiceProvider provider)
    {
        Search search = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).Build();
        return Assert.IsType<BuiltInStrategy<TwoStageOptions>>(search.Strategy).Options.Epochs;
    }

    /// <summary>Keeps every log entry (category, level, message).</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
