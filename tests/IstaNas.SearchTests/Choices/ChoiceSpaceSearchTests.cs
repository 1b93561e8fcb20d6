using IstaNas.Choices;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;
using TorchSharp;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Tests.Choices;

/// <summary>Searches of a user-defined model with choices (<see cref="TinyChoiceNet"/>) from the builder.</summary>
[Collection(GlobalRandomCollection.Name)]
public class ChoiceSpaceSearchTests
{
    private static SearchBuilder Builder(long seed = 7) =>
        new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).UseSpace(() => new TinyChoiceNet()).UseSeed(seed);

    [Fact]
    public void TwoStageSearchesTheChoicesAndGivesAnArchitectureThatFixesTheModel()
    {
        SearchResult r = Builder().UseTwoStage(o => TinySearch.Configure(o, epochs: 3, steps: 3)).Build().Run();

        Assert.Null(r.Genotype);
        Assert.Equal(3, r.History.Count);
        Assert.All(r.History, h =>
        {
            Assert.Null(h.Genotype);
            Assert.Equal(["conv1", "conv2", "read"], h.ZMagnitude.Keys.Order());
            Assert.All(h.ZMagnitude.Values, z => Assert.Equal(3, z.Length));
            Assert.True(double.IsFinite(h.TrainLoss) && double.IsFinite(h.ValidLoss));
        });
        Assert.True(r.History.Any(h => h.ZChange.Values.Max() > 0), "b never moved z");
        ChoiceArchitecture arch = Assert.IsType<ChoiceArchitecture>(r.Architecture);
        Assert.Equal("|z|", arch.Score);
        Assert.Equal(["conv1", "conv2", "read"], arch.Choices.Select(c => c.Name));
        Assert.All(arch.Choices, c =>
        {
            Assert.Single(c.Picks);
            Assert.InRange(c.Picks[0], 0, 2);
            Assert.Equal(r.History[^1].ZMagnitude[c.Name][c.Picks[0]], c.Scores![0]);
            Assert.Equal(r.History[^1].ZMagnitude[c.Name].Max(), c.Scores[0]);
        });
        Assert.NotNull(r.SearchSpace);
        Assert.Equal(["conv1", "conv2", "read"], r.SearchSpace!.Decisions!.Select(d => d.Key));
        Assert.All(r.SearchSpace.Decisions!, d => Assert.Equal(2, d.ProjectionDims)); // min(m = 7, K - 1)

        using var dir = new TempDirectory();
        string path = dir.File("arch.json");
        arch.Save(path);
        ChoiceArchitecture loaded = ChoiceArchitecture.Load(path);
        Assert.Equal(arch.ToJson(), loaded.ToJson());
        using var net = loaded.Fix(new TinyChoiceNet());
        using var scope = NewDisposeScope();
        Tensor logits = net.call(randn(2, 3, 16, 16));
        Assert.Equal([2L, 10L], logits.shape);
    }

    [Fact]
    public void SameSeedGivesTheSameSearch()
    {
        SearchResult a = Builder(seed: 3).UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 2)).Build().Run();
        SearchResult b = Builder(seed: 3).UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 2)).Build().Run();
        Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));
        Assert.Equal(a.SearchSpace!.NodeStates.SelectMany(n => n.Z), b.SearchSpace!.NodeStates.SelectMany(n => n.Z));
        Assert.Equal(a.Architecture!.ToJson(), b.Architecture!.ToJson());
    }
}
