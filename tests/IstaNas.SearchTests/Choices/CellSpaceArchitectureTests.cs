using IstaNas.Architecture;
using IstaNas.Strategies;
using IstaNas.Tests.Strategies;

namespace IstaNas.Tests.Choices;

/// <summary>The DARTS cell searches fill <see cref="SearchResult.Architecture"/> too: one choice per node, the genotype's edges as candidates.</summary>
[Collection(GlobalRandomCollection.Name)]
public class CellSpaceArchitectureTests
{
    [Theory]
    [InlineData("two-stage", "|z|")]
    [InlineData("darts", "alpha")]
    [InlineData("random", null)]
    public void TheArchitectureOfACellSearchIsItsGenotypeByNode(string strategy, string? score)
    {
        SearchBuilder b = new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).UseSeed(2);
        b = strategy switch
        {
            "darts" => b.UseDarts(o => TinySearch.Configure(o, epochs: 1, steps: 2)),
            "random" => b.UseRandom(),
            _ => b.UseTwoStage(o => TinySearch.Configure(o, epochs: 1, steps: 2)),
        };
        SearchResult r = b.Build().Run();
        Genotype genotype = r.Genotype!;
        var arch = r.Architecture!;
        Assert.Equal(score, arch.Score);
        string[] operations = [.. IstaNas.Architecture.Operations.Default];
        Assert.Equal(8, arch.Choices.Count);
        foreach (var (cell, i) in new[] { CellType.Normal, CellType.Reduce }.SelectMany(c => Enumerable.Range(0, 4).Select(i => (c, i))))
        {
            var choice = arch.Choices.Single(c => c.Name == $"{(cell == CellType.Normal ? "normal" : "reduce")}/{i}");
            var edges = choice.Picks.Select(p => new GenotypeEdge(operations[p % operations.Length], p / operations.Length)).ToHashSet();
            Assert.True(edges.SetEquals(genotype.NodeEdges(cell, i)), $"{choice.Name}: [{string.Join(", ", edges)}] vs [{string.Join(", ", genotype.NodeEdges(cell, i))}]");
            if (strategy == "two-stage")
                Assert.Equal(choice.Picks.Select(p => r.History[^1].ZMagnitude[choice.Name][p]), choice.Scores!);
        }
    }
}
