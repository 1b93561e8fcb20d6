using System.Text.Json.Nodes;
using IstaNas.Architecture;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using static TorchSharp.torch;

namespace IstaNas.Tests.SearchSpace;

/// <summary>The compressed space over decisions: per-decision shapes, keyed state, states of before issue 19.</summary>
public class DecisionSpaceTests
{
    private static readonly Decision[] Choices = [new("conv", 3, 1, 2), new("read", 4, 2, 3), new("act", 2, 1, 1)];

    private static CompressedSearchSpace Create(long seed = 3, IReadOnlyList<Decision>? decisions = null) =>
        CompressedSearchSpace.ForDecisions(decisions ?? Choices, new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), seed);

    [Fact]
    public void EveryDecisionHasItsOwnShapeAndItsKeyedEntries()
    {
        using var space = Create();
        Assert.False(space.IsCellSpace);
        Assert.Equal(Choices, space.Decisions);
        for (int k = 0; k < Choices.Length; k++)
        {
            Assert.Equal([(long)Choices[k].ProjectionDims, Choices[k].Count], space.A(k).shape);
            Assert.Equal(Choices[k].ProjectionDims, space.B(k).shape[0]);
            Assert.Equal(Choices[k].Picks, space.Support(k).Count);
        }
        Assert.Equal(["act", "conv", "read"], space.ZMagnitudes().Keys.Order());
        IReadOnlyList<NodeWeights> w = space.ArchitectureWeights();
        Assert.Equal([1, 2, 1], w.Select(n => n.Candidates.Length));
        RecoveryReport report = space.Recover();
        Assert.Equal(["conv", "read", "act"], report.Nodes.Select(n => n.Key)); // decision order, across the groups of equal m
        Assert.Throws<InvalidOperationException>(() => space.DeriveGenotype());
    }

    [Fact]
    public void ABatchOfEqualMGivesTheSameCodesAsEachDecisionAlone()
    {
        Decision[] same = [new("a", 5, 1, 3), new("b", 4, 2, 3)];
        using var both = Create(seed: 5, same);
        using var first = Create(seed: 5, [same[0]]);
        Assert.Equal(first.Z(0).data<double>().ToArray(), both.Z(0).data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void InvalidDecisionsAreRefusedNamingTheChoice()
    {
        var e = Assert.Throws<ArgumentException>(() => Create(decisions: [new Decision("conv", 3, 1, 3)]));
        Assert.Contains("Choice 'conv' has m = 3 measurements for K = 3 candidates", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Create(decisions: [new Decision("conv", 4, 2, 1)]));
        Assert.Contains("Choice 'conv' has m = 1 measurements but keeps s = 2 candidates", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Create(decisions: [new Decision("x", 3, 1, 2), new Decision("x", 3, 1, 2)]));
        Assert.Contains("Two decisions are named 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyedStateRoundTripsAndAStateOfOtherDecisionsIsRefusedSayingHow()
    {
        using var source = Create(seed: 3);
        using (no_grad()) source.B(1).mul_(2.5f);
        source.Recover();
        source.SetFrozen(2, true);
        using var target = Create(seed: 8);
        target.LoadState(SearchSpaceState.FromJson(source.GetState().ToJson()));
        Assert.Equal(source.GetState().ToJson(), target.GetState().ToJson());

        using var other = Create(decisions: [new("conv", 3, 1, 2), new("read", 5, 2, 3), new("act", 2, 1, 1)]);
        var e = Assert.Throws<ArgumentException>(() => other.LoadState(source.GetState()));
        Assert.Contains("decision 1: saved 'read' (K = 4, s = 2, m = 3), the space has 'read' (K = 5, s = 2, m = 3)", e.Message, StringComparison.Ordinal);

        using var cells = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), 1);
        e = Assert.Throws<ArgumentException>(() => cells.LoadState(source.GetState()));
        Assert.Contains("saved by a search of a model's choices (3 decisions), not of the DARTS cell space", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => source.LoadState(cells.GetState()));
        Assert.Contains("saved by a search of the DARTS cell space, not of a model's choices", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACellSpaceStateWrittenBeforeDecisionsHadKeysStillLoads()
    {
        using var source = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), 4);
        using (no_grad()) source.B(CellType.Reduce, 2).mul_(4f);
        source.Recover();
        // The JSON of before issue 19: no "decisions", no "key" per node.
        JsonObject json = JsonNode.Parse(source.GetState().ToJson())!.AsObject();
        json.Remove("decisions");
        foreach (JsonNode? node in json["nodeStates"]!.AsArray()) node!.AsObject().Remove("key");
        Assert.DoesNotContain("\"key\"", json.ToJsonString(), StringComparison.Ordinal);
        using var target = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), 9);
        target.LoadState(SearchSpaceState.FromJson(json.ToJsonString()));
        Assert.Equal(source.GetState().ToJson(), target.GetState().ToJson());
        Assert.Equal(source.DeriveGenotype(), target.DeriveGenotype());
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
