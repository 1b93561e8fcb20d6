using IstaNas.Architecture;

namespace IstaNas.Tests.Fidelity;

public class GenotypeEqualityTests
{
    private static Genotype SwapPairsWithinEveryNode(Genotype g) => new(
        Enumerable.Range(0, g.Nodes).SelectMany(i => g.NodeEdges(CellType.Normal, i).Reverse()),
        Enumerable.Range(0, g.Nodes).SelectMany(i => g.NodeEdges(CellType.Reduce, i).Reverse()));

    [Fact]
    public void EqualityIgnoresTheOrderOfThePairsWithinANode()
    {
        // The authors print a node's two pairs second-largest first; a searched genotype must still equal the published one.
        foreach (string name in Genotype.KnownNames)
        {
            Genotype published = Genotype.Known(name), printed = SwapPairsWithinEveryNode(published);
            Assert.Equal(published, printed);
            Assert.Equal(published.GetHashCode(), printed.GetHashCode());
        }
    }

    [Fact]
    public void PairsMovedAcrossNodesOrCellsAreDifferent()
    {
        Genotype g = Genotype.DartsV2;
        var normal = g.Normal.ToArray();
        (normal[1], normal[2]) = (normal[2], normal[1]); // node 0 and node 1 exchange a pair
        Assert.NotEqual(g, new Genotype(normal, g.Reduce));
        Assert.NotEqual(g, new Genotype(g.Reduce, g.Normal));
    }

    [Fact]
    public void ANullPairInGenotypeJsonIsAFormatError()
    {
        string json = """{"normal":[null,{"op":"skip_connect","input":1}],"reduce":[{"op":"skip_connect","input":0},{"op":"skip_connect","input":1}]}""";
        var ex = Assert.Throws<FormatException>(() => Genotype.FromJson(json));
        Assert.Contains("Pair 0 of \"normal\" is null", ex.Message);
    }
}
