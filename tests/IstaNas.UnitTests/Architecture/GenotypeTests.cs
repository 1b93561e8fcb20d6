using IstaNas.Architecture;

namespace IstaNas.Tests.Architecture;

public class GenotypeTests
{
    public static TheoryData<string> BuiltIn() => new(Genotype.KnownNames);

    [Theory]
    [MemberData(nameof(BuiltIn))]
    public void JsonRoundTripsEveryBuiltInGenotype(string name)
    {
        Genotype g = Genotype.Known(name);
        Genotype back = Genotype.FromJson(g.ToJson());
        Assert.Equal(g, back);
        Assert.Equal(g.GetHashCode(), back.GetHashCode());
        Assert.Equal(4, back.Nodes);
        Assert.Equal([2, 3, 4, 5], back.NormalConcat);
    }

    [Fact]
    public void TwoStageGenotypeMatchesThePaper()
    {
        Genotype g = Genotype.IstaTwoStage;
        Assert.Equal(new GenotypeEdge("skip_connect", 0), g.Normal[0]);
        Assert.Equal(new GenotypeEdge("dil_conv_3x3", 2), g.Normal[3]);
        Assert.Equal(new GenotypeEdge("sep_conv_5x5", 1), g.Reduce[7]);
        Assert.Equal([new GenotypeEdge("dil_conv_5x5", 4), new GenotypeEdge("sep_conv_5x5", 1)], g.NodeEdges(CellType.Reduce, 3));
        Assert.NotEqual(Genotype.IstaTwoStage, Genotype.IstaOneStage);
    }

    [Fact]
    public void TextFormNamesNodesOpsAndInputs()
    {
        string text = Genotype.IstaTwoStage.ToString();
        Assert.Contains("normal cell:", text);
        Assert.Contains("n0 = skip_connect(c_{k-2}) + dil_conv_3x3(c_{k-1})", text);
        Assert.Contains("n3 = dil_conv_5x5(n2) + sep_conv_5x5(c_{k-1})", text);
        Assert.Contains("out = concat(n0, n1, n2, n3)", text);
    }

    [Fact]
    public void UnknownOperationIsRejectedWithItsName()
    {
        var edges = Genotype.DartsV2.Normal.ToArray();
        edges[3] = new GenotypeEdge("conv_7x7", 1);
        var ex = Assert.Throws<ArgumentException>(() => new Genotype(edges, Genotype.DartsV2.Reduce));
        Assert.Contains("conv_7x7", ex.Message);
        Assert.Equal("normal", ex.ParamName);
    }

    [Fact]
    public void PredecessorOutOfRangeIsRejected()
    {
        var edges = Genotype.DartsV2.Reduce.ToArray();
        edges[0] = new GenotypeEdge("max_pool_3x3", 2); // node 0 may read only 0 and 1
        var ex = Assert.Throws<ArgumentException>(() => new Genotype(Genotype.DartsV2.Normal, edges));
        Assert.Contains("predecessor 2", ex.Message);
        Assert.Equal("reduce", ex.ParamName);
    }

    [Fact]
    public void WrongNumberOfPairsIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Genotype(Genotype.DartsV2.Normal.Take(7), Genotype.DartsV2.Reduce));
        Assert.Contains("7", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => new Genotype(Genotype.DartsV2.Normal, Genotype.DartsV2.Reduce.Take(6)));
        Assert.Contains("same number", ex2.Message);
    }

    [Fact]
    public void MalformedJsonIsAFormatError()
    {
        Assert.StartsWith("Not a genotype JSON document: ", Assert.Throws<FormatException>(() => Genotype.FromJson("{ not json")).Message);
        Assert.Equal("A genotype JSON document needs the arrays \"normal\" and \"reduce\".",
            Assert.Throws<FormatException>(() => Genotype.FromJson("{\"normal\": []}")).Message);
        string bad = Genotype.DartsV2.ToJson().Replace("\"sep_conv_3x3\"", "\"sep_conv_9x9\"", StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => Genotype.FromJson(bad));
        Assert.Contains("sep_conv_9x9", ex.Message);
        Assert.StartsWith("Invalid genotype: ", ex.Message);
        Assert.Throws<FormatException>(() => Genotype.FromJson("{\"normal\":[],\"reduce\":[],\"extra\":1}"));
    }

    [Fact]
    public void SaveAndLoadGoThroughAFileAtomically()
    {
        string dir = Directory.CreateTempSubdirectory("istanas-genotype").FullName;
        try
        {
            string path = Path.Combine(dir, "sub", "genotype.json");
            Genotype.IstaOneStage.Save(path);
            Assert.Equal(Genotype.IstaOneStage, Genotype.Load(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
            var missing = Assert.Throws<FileNotFoundException>(() => Genotype.Load(Path.Combine(dir, "nope.json")));
            Assert.Contains("nope.json", missing.Message);
            File.WriteAllText(Path.Combine(dir, "bad.json"), "[]");
            var bad = Assert.Throws<FormatException>(() => Genotype.Load(Path.Combine(dir, "bad.json")));
            Assert.Contains("bad.json", bad.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void UnknownBuiltInNameListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Genotype.Known("nasnet"));
        Assert.Contains("ista_twostage", ex.Message);
        Assert.Same(Genotype.IstaTwoStage, Genotype.Known("ISTA_TwoStage"));
    }
}
