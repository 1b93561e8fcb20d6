using System.Diagnostics;
using System.Text;
using IstaNas.Architecture;

namespace IstaNas.Tests.Architecture;

/// <summary>A genotype larger than the networks support is refused before anything of its size is allocated or built.</summary>
public class GenotypeBoundsTests
{
    private const string Pairs = "[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)]";

    [Theory]
    [InlineData("normal_concat=range(2147483647)", "range(0, 2147483647) lists 2147483647 states; a cell has at most 18")]
    [InlineData("normal_concat=range(2, 200000000)", "range(2, 200000000) lists 199999998 states")]
    [InlineData("normal_concat=range(-5, 2147483647)", "expected the start of the range")]
    public void AHugeConcatRangeIsRefusedAtOnce(string concat, string expected)
    {
        var clock = Stopwatch.StartNew();
        var ex = Assert.ThrowsAny<Exception>(() => Genotype.ParseDarts($"Genotype(normal={Pairs}, {concat}, reduce={Pairs}, reduce_concat=range(2, 3))"));
        Assert.IsType<FormatException>(ex);
        Assert.Contains(expected, ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "refused before enumerating the range"); // a wide margin: it used to take 7 s or end in OutOfMemoryException
    }

    [Fact]
    public void ALongConcatListIsRefused()
    {
        string list = "[" + string.Join(", ", Enumerable.Range(0, 100)) + "]";
        var ex = Assert.Throws<FormatException>(() => Genotype.ParseDarts($"Genotype(normal={Pairs}, normal_concat={list}, reduce={Pairs}, reduce_concat=range(2, 3))"));
        Assert.Contains("more than 18 states", ex.Message);
    }

    [Fact]
    public void AGenotypeJsonOfTwentyThousandNodesIsRefusedNamingTheLimit()
    {
        var edges = new StringBuilder();
        for (int node = 0; node < 20_000; node++)
            edges.Append(node == 0 ? string.Empty : ",").Append("{\"op\":\"skip_connect\",\"input\":0},{\"op\":\"skip_connect\",\"input\":1}");
        string json = $"{{\"normal\":[{edges}],\"reduce\":[{edges}]}}";
        var ex = Assert.Throws<FormatException>(() => Genotype.FromJson(json));
        Assert.Contains("more than 16 nodes", ex.Message);
        Assert.Contains("SearchSpaceOptions.Nodes", ex.Message);

        // 16 nodes, the search space's limit, are accepted; more pairs per node than the sparsity allows are not.
        GenotypeEdge[] sixteen = [.. Enumerable.Range(0, 16).SelectMany(n => new[] { new GenotypeEdge("skip_connect", 0), new GenotypeEdge("skip_connect", n + 1) })];
        Assert.Equal(16, new Genotype(sixteen, sixteen).Nodes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Genotype(sixteen, sixteen, edgesPerNode: 65));
    }
}
