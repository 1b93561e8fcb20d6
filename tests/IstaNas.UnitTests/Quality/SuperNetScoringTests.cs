using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using IstaNas.Tests.Strategies;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using BatchLoader = IstaNas.Data.BatchLoader;

namespace IstaNas.Tests.Quality;

/// <summary>Scoring a genotype inside a super-net: its candidates, the BN recalibration (a plain average), the accuracy.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class SuperNetScoringTests : IDisposable
{
    private readonly SuperNet _net;
    private readonly BatchLoader _loader;

    public SuperNetScoringTests()
    {
        torch.random.manual_seed(3);
        _net = new SuperNet(new SuperNetOptions { Channels = 4, Layers = 3, Classes = 10 });
        _loader = new BatchLoader(TinySearch.Data(count: 64), new BatchLoaderOptions { BatchSize = 8, Shuffle = false, Augmentation = AugmentationPipeline.None });
    }

    public void Dispose() => _net.Dispose();

    private IEnumerable<Batch> Batches(params int[] indices) => indices.Select(i => _loader.GetBatch(0, i));

    private Tensor[] Statistics()
    {
        using var noGrad = no_grad();
        return [.. _net.modules().OfType<BatchNorm2d>().SelectMany(bn => new[] { bn.running_mean!.clone(), bn.running_var!.clone() })];
    }

    [Fact]
    public void TheGenotypesPairsBecomeItsCandidatesWithWeightOne()
    {
        Genotype g = Genotype.Known("darts_v2");
        NodeWeights[] normal = SuperNetScoring.Architecture(_net, g, CellType.Normal);
        int k = Operations.Default.Count;
        for (int node = 0; node < 4; node++)
        {
            int[] expected = [.. g.NodeEdges(CellType.Normal, node).Select(e => (e.Input * k) + Operations.Default.ToList().IndexOf(e.Operation)).Order()];
            Assert.Equal(expected, normal[node].Candidates);
            Assert.Equal(Enumerable.Repeat(1f, expected.Length), normal[node].Weights.data<float>().ToArray());
        }

        // A DARTS super-net has none first: every operation sits one column further.
        using var dense = new SuperNet(new SuperNetOptions { Channels = 4, Layers = 3, Operations = DartsSearchSpace.DenseOperations(Operations.Default) });
        NodeWeights[] shifted = SuperNetScoring.Architecture(dense, g, CellType.Normal);
        GenotypeEdge first = g.NodeEdges(CellType.Normal, 0).OrderBy(e => (e.Input * (k + 1)) + Operations.Default.ToList().IndexOf(e.Operation)).First();
        Assert.Equal((first.Input * (k + 1)) + 1 + Operations.Default.ToList().IndexOf(first.Operation), shifted[0].Candidates[0]);

        using var twoNodes = new SuperNet(new SuperNetOptions { Channels = 4, Layers = 3, Nodes = 2 });
        Assert.Contains("has 4 nodes", Assert.Throws<ArgumentException>(() => SuperNetScoring.Architecture(twoNodes, g, CellType.Normal)).Message);
    }

    [Fact]
    public void RecalibrationIsThePlainAverageOverTheBatches()
    {
        SuperNetScoring.SetArchitecture(_net, RandomArchitectures.Draw(new SearchSpaceOptions(), 1));
        SuperNetScoring.Recalibrate(_net, Batches(0));
        Tensor[] a = Statistics();
        SuperNetScoring.Recalibrate(_net, Batches(1));
        Tensor[] b = Statistics();
        SuperNetScoring.Recalibrate(_net, Batches(0, 0));
        Tensor[] aa = Statistics();
        SuperNetScoring.Recalibrate(_net, Batches(0, 1));
        Tensor[] ab = Statistics();
        // In training mode every BN normalises with its batch's statistics, so each BN sees the same inputs whatever its
        // running statistics: the cumulative average of two batches is the mean of the two single-batch statistics
        // (an exponential average with momentum 0.1 would give 0.19 of the first instead).
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(aa[i].allclose(a[i], rtol: 1e-5, atol: 1e-6), $"statistic {i}: [A, A] differs from [A]");
            Assert.True(ab[i].allclose((a[i] + b[i]) / 2, rtol: 1e-4, atol: 1e-6), $"statistic {i}: [A, B] is not the mean of [A] and [B]");
        }

        Assert.All(_net.modules().OfType<BatchNorm2d>(), bn => Assert.Equal(0.1, bn.momentum!.Value, 12)); // momentum restored
    }

    [Fact]
    public void AScoreIsAnAccuracyIndependentOfWhatWasScoredBefore()
    {
        var space = new SearchSpaceOptions();
        Genotype g = RandomArchitectures.Draw(space, 5), other = RandomArchitectures.Draw(space, 6);
        _net.train();
        double first = SuperNetScoring.Accuracy(_net, g, Batches(0, 1, 2), Batches(4, 5, 6, 7));
        Assert.InRange(first, 0, 1);
        Assert.True(_net.training); // mode restored
        _ = SuperNetScoring.Accuracy(_net, other, Batches(3), Batches(4));
        _net.eval();
        Assert.Equal(first, SuperNetScoring.Accuracy(_net, g, Batches(0, 1, 2), Batches(4, 5, 6, 7)));
        Assert.False(_net.training);
        Assert.Throws<ArgumentException>(() => SuperNetScoring.Accuracy(_net, g, [], Batches(4)));
        Assert.Throws<ArgumentException>(() => SuperNetScoring.Accuracy(_net, g, Batches(0), []));
    }
}
