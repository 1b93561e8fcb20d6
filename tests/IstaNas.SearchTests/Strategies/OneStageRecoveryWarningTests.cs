using IstaNas.SparseCoding;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using Microsoft.Extensions.Logging;

namespace IstaNas.Tests.Strategies;

/// <summary>A one-stage recovery stopped by its iteration cap warns, as the two-stage search does.</summary>
public class OneStageRecoveryWarningTests
{
    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public ListLogger Logger { get; } = new();

        public ILogger CreateLogger(string categoryName) => Logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("one-stage")]
    [InlineData("two-stage")]
    public void ARecoveryCutByItsIterationCapIsAWarning(string strategy)
    {
        using var logs = new ListLoggerFactory();
        var builder = new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 128))
            .ConfigureSparseCoder(s =>
            {
                s.Method = SparseCodingMethod.Fista;
                s.MaxIterations = 1;
                s.CheckInterval = 1;
            })
            .UseLogging(logs)
            .UseSeed(4);
        if (strategy == "one-stage")
        {
            builder.UseOneStage(o =>
            {
                TinySearch.Configure(o, epochs: 1, steps: 2);
                o.Auxiliary = false;
                o.ParameterBudgetMillions = null;
                o.MaxSearchEpochs = 1;
            });
        }
        else
        {
            builder.UseTwoStage(o => TinySearch.Configure(o, epochs: 1, steps: 2));
        }

        SearchResult result = builder.Build().Run();
        result.Network?.Dispose();
        Assert.Contains(logs.Logger.Warnings, w => w.Contains("Recovery stopped at its iteration cap", StringComparison.Ordinal));
    }
}
