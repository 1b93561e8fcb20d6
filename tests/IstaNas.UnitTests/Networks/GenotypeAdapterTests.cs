using IstaNas.Architecture;
using IstaNas.Networks;

namespace IstaNas.Tests.Networks;

public class GenotypeAdapterTests
{
    [Theory]
    [InlineData("darts_v2", "darts_v2", 3_349_342, 3_358_846)]
    [InlineData("ista_twostage", "ista_two_stage", 3_316_726, 3_323_638)]
    [InlineData("ista_onestage", "ista_one_stage", 3_363_598, 3_371_806)]
    [InlineData("ista_imagenet", "ista_imagenet", 4_017_862, 4_021_750)]
    public void BuiltInGenotypesBuildWithTheKnownParameterCounts(string name, string topologyName, long expected, long expectedWithBatchNorm)
    {
        Genotype genotype = Genotype.Known(name);
        using var net = new EvaluationNetwork(new EvaluationNetworkOptions { Auxiliary = true }, genotype);
        using var withBatchNorm = new EvaluationNetwork(new EvaluationNetworkOptions { Auxiliary = true, BatchNormAfterParameterFree = true }, genotype);
        Assert.Equal(expected, net.ParameterCount);
        Assert.Equal(expectedWithBatchNorm, withBatchNorm.ParameterCount);
        var (normal, reduce) = KnownTopologies.ByName(topologyName);
        Assert.Equal(normal.Edges, net.Normal.Edges);
        Assert.Equal(reduce.Edges, net.Reduce.Edges);
        Assert.Equal(normal.Concat, net.Normal.Concat);
    }

    [Fact]
    public void ConcatListIsCarriedOver()
    {
        var g = new Genotype(
            [new("sep_conv_3x3", 0), new("skip_connect", 1), new("max_pool_3x3", 2), new("dil_conv_3x3", 0)],
            [new("max_pool_3x3", 0), new("avg_pool_3x3", 1), new("skip_connect", 2), new("sep_conv_5x5", 1)],
            normalConcat: [2, 3], reduceConcat: [3]);
        CellTopology reduce = CellTopology.From(g, CellType.Reduce);
        Assert.Equal([3], reduce.Concat);
        Assert.Equal(("skip_connect", 2), reduce.Edges[2]);
    }

    [Fact]
    public void GenotypeWithOtherSparsityIsRejected()
    {
        var g = new Genotype([new("sep_conv_3x3", 0), new("skip_connect", 1), new("max_pool_3x3", 0)],
            [new("max_pool_3x3", 0), new("avg_pool_3x3", 1), new("skip_connect", 0)], edgesPerNode: 3);
        var ex = Assert.Throws<ArgumentException>(() => CellTopology.From(g, CellType.Normal));
        Assert.Contains("two", ex.Message);
    }
}
