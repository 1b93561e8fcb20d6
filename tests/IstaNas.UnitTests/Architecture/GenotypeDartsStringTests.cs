using IstaNas.Architecture;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Architecture;

public class GenotypeDartsStringTests
{
    // Verbatim from quark0/darts, cnn/genotypes.py.
    private const string DartsV2 =
        "DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    // Verbatim from iboing/ISTA-NAS, tools/genotypes.py.
    private const string IstaTwoStage =
        "ISTA_twostage = Genotype(normal=[('skip_connect', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('dil_conv_3x3', 2), ('dil_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 2), ('skip_connect', 0)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('sep_conv_5x5', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('dil_conv_5x5', 3), ('sep_conv_3x3', 1), ('dil_conv_5x5', 4), ('sep_conv_5x5', 1)], reduce_concat=range(2, 6))";

    private const string IstaOneStage =
        "ISTA_onestage = Genotype(normal=[('skip_connect', 0), ('dil_conv_3x3', 1), ('sep_conv_3x3', 1), ('dil_conv_5x5', 2), ('avg_pool_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_5x5', 1), ('sep_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 0), ('max_pool_3x3', 1), ('sep_conv_5x5', 1), ('avg_pool_3x3', 0), ('max_pool_3x3', 0), ('dil_conv_5x5', 2)], reduce_concat=range(2, 6))";

    private const string IstaImageNet =
        "ISTA_ImageNet = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 2), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('skip_connect', 0), ('sep_conv_3x3', 1), ('dil_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), ('skip_connect', 2), ('sep_conv_3x3', 2), ('skip_connect', 3)], reduce_concat=range(2, 6))";

    /// <summary>Same nodes, each node's pairs compared as a set (the order of the two pairs of a node carries no meaning).</summary>
    private static void AssertSameArchitecture(Genotype expected, Genotype actual)
    {
        Assert.Equal(expected.Nodes, actual.Nodes);
        Assert.Equal(expected.EdgesPerNode, actual.EdgesPerNode);
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
        {
            for (int node = 0; node < expected.Nodes; node++)
            {
                Assert.Equal(expected.NodeEdges(cell, node).ToHashSet(), actual.NodeEdges(cell, node).ToHashSet());
            }

            Assert.Equal(expected.Concat(cell), actual.Concat(cell));
        }
    }

    public static TheoryData<string> KnownNames => new(Genotype.KnownNames);

    [Theory]
    [MemberData(nameof(KnownNames))]
    public void EveryKnownGenotypeRoundTrips(string name)
    {
        Genotype genotype = Genotype.Known(name);
        string text = genotype.ToDartsString();
        Assert.StartsWith("Genotype(normal=[('", text);
        Assert.EndsWith(", reduce_concat=range(2, 6))", text);
        Assert.Equal(genotype, Genotype.ParseDarts(text));
    }

    [Theory]
    [InlineData(DartsV2, "darts_v2")]
    [InlineData(IstaTwoStage, "ista_twostage")]
    [InlineData(IstaOneStage, "ista_onestage")]
    [InlineData(IstaImageNet, "ista_imagenet")]
    public void PublishedStringsParseToTheKnownGenotypes(string text, string name)
    {
        AssertSameArchitecture(Genotype.Known(name), Genotype.ParseDarts(text));
    }

    [Fact]
    public void AuthorsOrderWithinANodeDoesNotMatter()
    {
        // The authors print a node's pairs strongest-second first; swapping them is the same architecture.
        Genotype swapped = Genotype.ParseDarts(IstaTwoStage.Replace("('skip_connect', 0), ('dil_conv_3x3', 1)", "('dil_conv_3x3', 1), ('skip_connect', 0)"));
        AssertSameArchitecture(Genotype.IstaTwoStage, swapped);
    }

    [Fact]
    public void ToDartsStringHasThePrintedForm()
    {
        Assert.Equal(
            "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))",
            Genotype.DartsV2.ToDartsString());
        var partial = new Genotype(Genotype.DartsV2.Normal, Genotype.DartsV2.Reduce, [2, 4, 5], [3, 4, 5]);
        string text = partial.ToDartsString();
        Assert.Contains("normal_concat=[2, 4, 5]", text);
        Assert.Contains("reduce_concat=range(3, 6)", text);
        Assert.Equal(partial, Genotype.ParseDarts(text));
    }

    [Theory]
    [InlineData("genotypes.Genotype(normal=[(\"sep_conv_3x3\", 0), (\"sep_conv_3x3\", 1), (\"sep_conv_3x3\", 0), (\"sep_conv_3x3\", 1), (\"sep_conv_3x3\", 1), (\"skip_connect\", 0), (\"skip_connect\", 0), (\"dil_conv_3x3\", 2)], normal_concat=range(2,6), reduce=[(\"max_pool_3x3\", 0), (\"max_pool_3x3\", 1), (\"skip_connect\", 2), (\"max_pool_3x3\", 1), (\"max_pool_3x3\", 0), (\"skip_connect\", 2), (\"skip_connect\", 2), (\"max_pool_3x3\", 1)], reduce_concat=range(2,6))")]
    [InlineData("(normal=[('sep_conv_3x3',0),('sep_conv_3x3',1),('sep_conv_3x3',0),('sep_conv_3x3',1),('sep_conv_3x3',1),('skip_connect',0),('skip_connect',0),('dil_conv_3x3',2),],normal_concat=[2,3,4,5,],reduce=[('max_pool_3x3',0),('max_pool_3x3',1),('skip_connect',2),('max_pool_3x3',1),('max_pool_3x3',0),('skip_connect',2),('skip_connect',2),('max_pool_3x3',1)],reduce_concat=[2,3,4,5],)")]
    [InlineData("Genotype(\n  reduce_concat = range(2, 6),\n  reduce = [\n    ('max_pool_3x3', 0), ('max_pool_3x3', 1),\n    ('skip_connect', 2), ('max_pool_3x3', 1),\n    ('max_pool_3x3', 0), ('skip_connect', 2),\n    ('skip_connect', 2), ('max_pool_3x3', 1),\n  ],\n  normal = [\n    ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),\n    ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),\n    ('sep_conv_3x3', 1), ('skip_connect', 0),\n    ('skip_connect', 0), ('dil_conv_3x3', 2),\n  ],\n  normal_concat = range(2, 6),\n)\n")]
    [InlineData("Genotype([('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], range(2, 6), [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))")]
    public void AcceptsQuotesWhitespaceTrailingCommasPrefixesAndArgumentOrders(string text)
    {
        Assert.Equal(Genotype.DartsV2, Genotype.ParseDarts(text));
    }

    [Theory]
    [InlineData("", "line 1, column 1: expected '(' to open the genotype's fields; found the end of the text")]
    [InlineData("Genotipe(normal=[])", "line 1, column 1: expected 'Genotype('")]
    [InlineData("Genotype(normal=[('sep_conv_3x3', 0)] normal_concat=range(2, 6))", "line 1, column 39: expected ',' or ')' after a field; found 'normal_concat=range(")]
    [InlineData("Genotype(\n  normal=[('sep_conv_3x3' 0)],", "line 2, column 27: expected ',' between the operation and its input; found '0)],'")]
    [InlineData("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=range(2, 3), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)])", "field 'reduce_concat' is missing")]
    [InlineData("Genotype(normal=[], normal=[])", "field 'normal' is given twice")]
    [InlineData("Genotype(normal=[], concat=[])", "unknown field 'concat'")]
    [InlineData("Genotype(normal=[('sep_conv_3x3', -1)])", "expected the input (predecessor) index (a non-negative integer)")]
    [InlineData("Genotype(normal=[('sep_conv_3x3, 0)])", "column 19: the operation name's quote is not closed")]
    [InlineData("Genotype(normal_concat=list(range(2, 6)))", "expected a concat list: range(a, b) or [2, 3, ...]")]
    [InlineData("Genotype(normal_concat=range(6, 2))", "range(6, 2) is empty")]
    [InlineData("{\"normal\": []}", "expected '(' to open the genotype's fields")]
    [InlineData("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=range(2, 3), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=range(2, 3)) trailing", "unexpected text after the closing ')'")]
    [InlineData("Genotype(normal=[('sep_conv_7x7', 0), ('sep_conv_3x3', 1)], normal_concat=range(2, 3), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=range(2, 3))", "unknown operation 'sep_conv_7x7'")]
    [InlineData("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 3)], normal_concat=range(2, 3), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=range(2, 3))", "reads predecessor 3")]
    public void RejectsAnythingElseSayingWhere(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => Genotype.ParseDarts(text));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void LoadReadsJsonOrDartsFilesByTheirFirstCharacter()
    {
        using var dir = new TempDirectory();
        string json = dir.File("genotype.json"), darts = dir.File("genotype.txt"), broken = dir.File("broken.txt");
        Genotype.IstaOneStage.Save(json);
        File.WriteAllText(darts, "\n\n  " + IstaOneStage + "\n");
        File.WriteAllText(broken, "Genotype(normal=[('sep_conv_3x3', 0)");
        Assert.Equal(Genotype.IstaOneStage, Genotype.Load(json));
        AssertSameArchitecture(Genotype.IstaOneStage, Genotype.Load(darts));
        var ex = Assert.Throws<FormatException>(() => Genotype.Load(broken));
        Assert.Contains(broken, ex.Message);
        Assert.Contains("found the end of the text", ex.Message);
    }
}
