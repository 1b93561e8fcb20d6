using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Networks;
using IstaNas.Strategies;
using IstaNas.Tests.Strategies;
using static TorchSharp.torch;

namespace IstaNas.Tests.Choices;

/// <summary>A strategy of one's own runs from the builder on the public seams (IStrategy, SearchContext.CreateSuperNet, ISuperNet).</summary>
[Collection(GlobalRandomCollection.Name)]
public class OwnStrategyTests
{
    [Fact]
    public void AStrategyOfOnesOwnGetsTheModelsSuperNetAndReturnsAnArchitecture()
    {
        var strategy = new LastCandidate();
        SearchResult r = new SearchBuilder().UseDataset(TinySearch.Data(count: 64)).UseSpace(() => new TinyChoiceNet())
            .UseStrategy(strategy).UseSeed(1).Build().Run();
        Assert.Equal("last", r.Strategy);
        Assert.Equal(["conv1 3 1", "conv2 3 1", "read 3 1"], strategy.Seen);
        Assert.Equal([2L, 10L], strategy.OutputShape);
        Assert.Equal(["conv1", "conv2", "read"], r.Architecture!.Choices.Select(c => c.Name));
        Assert.All(r.Architecture.Choices, c => Assert.Equal([2], c.Picks));
    }

    private sealed class LastCandidate : IStrategy
    {
        public List<string> Seen { get; } = [];

        public long[] OutputShape { get; private set; } = [];

        public string Name => "last";

        public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
        {
            ISuperNet net = context.CreateSuperNet();
            using var module = net.Module;
            Seen.AddRange(net.Decisions.Select(d => $"{d.Key} {d.Count} {d.Picks}"));
            using var scope = NewDisposeScope();
            net.SetWeights([.. net.Decisions.Select(d => new NodeWeights([d.Count - 1], ones(1)))]);
            OutputShape = net.forward(zeros([2, .. context.Train.SampleShape.Select(d => (long)d)])).shape;
            var architecture = new IstaNas.Choices.Architecture(net.Decisions.Select(d => new ArchitectureChoice(d.Key, [d.Count - 1])));
            return new SearchResult { Strategy = Name, Architecture = architecture, History = [], Elapsed = TimeSpan.Zero };
        }
    }
}
