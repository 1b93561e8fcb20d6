using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Strategies;

public class TwoStageStrategyTests
{
    private static SearchResult Run(long seed, int epochs, int steps, IProgress<EpochReport>? progress = null, CancellationToken ct = default) =>
        new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 256))
            .UseTwoStage(o => TinySearch.Configure(o, epochs, steps))
            .UseSeed(seed)
            .WithProgress(progress!)
            .Build()
            .Run(ct);

    [Fact]
    public void SearchRunsEndToEndLowersTheLossAndDerivesAValidGenotype()
    {
        var reports = new List<EpochReport>();
        SearchResult result = Run(seed: 1, epochs: 4, steps: 8, new InlineProgress<EpochReport>(reports.Add));

        Assert.Equal(4, result.History.Count);
        Assert.Equal(reports, result.History);
        Assert.False(result.Cancelled);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss,
            $"training loss {result.History[0].TrainLoss:0.###} -> {result.History[^1].TrainLoss:0.###}");
        Assert.Equal(4, result.Genotype!.Nodes);
        Assert.Equal(Genotype.FromJson(result.Genotype.ToJson()), result.Genotype);
        Assert.All(result.History, r =>
        {
            Assert.NotNull(r.Genotype);
            Assert.Equal(8, r.ZChange.Count);
            Assert.Equal(8, r.ZMagnitude.Count);
            Assert.True(double.IsFinite(r.ValidLoss));
        });
        Assert.True(result.History.Any(r => r.ZChange.Values.Max() > 0), "b never moved z");
        Assert.NotNull(result.SearchSpace);
        Assert.Equal(result.History[^1].Genotype, result.Genotype);
    }

    [Fact]
    public void SameSeedGivesTheSameGenotypeAndHistory()
    {
        SearchResult a = Run(seed: 3, epochs: 2, steps: 3);
        SearchResult b = Run(seed: 3, epochs: 2, steps: 3);
        Assert.Equal(a.Genotype, b.Genotype);
        Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));
        Assert.Equal(a.SearchSpace!.NodeStates.SelectMany(n => n.Z), b.SearchSpace!.NodeStates.SelectMany(n => n.Z));
    }

    [Fact]
    public void CancellationStopsAtTheNextStepAndReturnsWhatWasReached()
    {
        using var cts = new CancellationTokenSource();
        SearchResult result = Run(seed: 2, epochs: 50, steps: 2, new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); }), cts.Token);
        Assert.True(result.Cancelled);
        Assert.Single(result.History);
        Assert.Equal(4, result.Genotype!.Nodes);
    }

    [Fact]
    public void GradientOfTheLossWithRespectToBMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(0);
        using var space = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), 4, dtype: ScalarType.Float64);
        using var net = new SuperNet(new SuperNetOptions { Channels = 2, Layers = 3, StemMultiplier = 1, Classes = 3 });
        net.to(ScalarType.Float64);
        net.eval(); // batch-norm with running statistics: a smooth function of b
        Tensor x = randn(2, 3, 8, 8, dtype: ScalarType.Float64);
        Tensor y = tensor(new long[] { 0, 2 });

        double Loss()
        {
            using var s = NewDisposeScope();
            net.SetArchitecture(space);
            return nn.functional.cross_entropy(net.forward(x), y).item<double>();
        }

        var b = space.B(CellType.Normal, 1);
        b.grad = null;
        net.SetArchitecture(space);
        nn.functional.cross_entropy(net.forward(x), y).backward();
        double[] analytic = b.grad!.data<double>().ToArray();
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-8);

        const double h = 1e-6;
        for (int j = 0; j < analytic.Length; j++)
        {
            using (no_grad()) b[j] = b[j] + h;
            double up = Loss();
            using (no_grad()) b[j] = b[j] - (2 * h);
            double down = Loss();
            using (no_grad()) b[j] = b[j] + h;
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[j]) <= 1e-6 + (1e-4 * Math.Abs(numeric)), $"b[{j}]: autograd {analytic[j]:e4}, finite difference {numeric:e4}");
        }
    }

    [Fact]
    public void TooFewImagesForABatchIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 20))
            .UseTwoStage(o => TinySearch.Configure(o))
            .Build()
            .Run());
        Assert.Contains("fewer than one batch of 16", ex.Message);
    }
}
