using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Tests.Strategies;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace IstaNas.Tests.Fidelity;

/// <summary>Settings that used to yield a meaningless architecture silently are now clear errors or warnings.</summary>
public class MeaninglessSettingsTests
{
    private static SearchBuilder TwoStage(Action<SearchBuilder>? more = null, int layers = 3)
    {
        var builder = new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 96))
            .UseTwoStage(o => { TinySearch.Configure(o, epochs: 1, steps: 1); o.Layers = layers; })
            .UseSeed(3);
        more?.Invoke(builder);
        return builder;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FewerThanThreeCellsIsRejectedForSearchAndEvaluation(int layers)
    {
        var search = Assert.Throws<OptionsValidationException>(() => TwoStage(layers: layers).Build());
        Assert.Contains("Layers", search.Message);
        Assert.Contains("collide", search.Message);
        var evaluation = Assert.Throws<OptionsValidationException>(() =>
            new EvaluationTrainer(Genotype.DartsV2, new EvaluationOptions { Layers = layers }));
        Assert.Contains("Layers", evaluation.Message);
        var network = Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions { Layers = layers, Auxiliary = true }, Genotype.DartsV2));
        Assert.Contains("auxiliary", network.Message);
    }

    [Fact]
    public void AZeroLatentInitScaleIsRejected()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => TwoStage(b => b.ConfigureSearchSpace(s => s.LatentInitScale = 0)).Build());
        Assert.Contains("LatentInitScale", ex.Message);
    }

    [Fact]
    public void ProjectionDimsBelowTheSparsityAreRejected()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => TwoStage(b => b.ConfigureSearchSpace(s => { s.ProjectionDims = 2; s.Sparsity = 3; })).Build());
        Assert.Contains("ProjectionDims m = 2 is below the sparsity s = 3", ex.Message);
    }

    [Fact]
    public void ALambdaThatZeroesEveryCodeIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => TwoStage(b => b.ConfigureSparseCoder(r => r.Lambda = 1)).Build().Run());
        Assert.Contains("fewer than the sparsity s = 2", ex.Message);
        Assert.Contains("lambda = 1 is at or above max|A^T b|", ex.Message);
    }

    [Fact]
    public void ANodeWhoseCodeBecomesTooSparseKeepsItsPreviousCodeAndSupport()
    {
        using var space = new CompressedSearchSpace(new SearchSpaceOptions(), SparseCoder.Create(new SparseCoderOptions()), seed: 2);
        IReadOnlyList<int> before = space.Support(CellType.Normal, 1);
        double[] zBefore = space.Z(CellType.Normal, 1).data<double>().ToArray();
        using (torch.no_grad()) space.B(CellType.Normal, 1).zero_(); // b = 0: the LASSO solution is z = 0
        RecoveryReport report = space.Recover();
        NodeRecovery kept = Assert.Single(report.Kept);
        Assert.Equal((CellType.Normal, 1, 0), (kept.Cell, kept.Node, kept.NonZeros));
        Assert.Equal(before, space.Support(CellType.Normal, 1));
        Assert.Equal(zBefore, space.Z(CellType.Normal, 1).data<double>().ToArray());
        Assert.True(kept.Change > 0);
    }

    [Fact]
    public void LabelsOfASingleClassAreRejected()
    {
        ImageDataset one = TinySearch.Data(count: 96);
        var labels = new int[one.Count]; // every image labelled 0, though the set declares 10 classes
        ImageDataset single = ImageDataset.FromPixels("one-class", one.Pixels.ToArray(), labels, one.Channels, one.Height, one.Width, one.ClassCount, one.Mean, one.Std);
        var search = Assert.Throws<ArgumentException>(() => new SearchBuilder().UseDataset(single)
            .UseTwoStage(o => TinySearch.Configure(o, epochs: 1, steps: 1)).Build().Run());
        Assert.Contains("only class 0", search.Message);
        var evaluation = Assert.Throws<ArgumentException>(() =>
            new EvaluationTrainer(Genotype.DartsV2, new EvaluationOptions { Layers = 3, Channels = 4, Auxiliary = false }).Train(single, single));
        Assert.Contains("only class 0", evaluation.Message);
    }

    [Fact]
    public void AGramThatOverflowsIsAClearErrorInEveryCoder()
    {
        var a = Matrix<double>.Build.Dense(3, 5, (i, j) => 1e200 * (i + j + 1));
        var b = Vector<double>.Build.Dense(3, 1.0);
        var dense = Assert.Throws<ArgumentException>(() => new DenseLassoSolver().Solve(a, b));
        Assert.Contains("overflows", dense.Message);

        using var scope = torch.NewDisposeScope();
        var huge = torch.full(3, 5, 1e20f); // finite in float32, but A^T A is not
        var tensor = Assert.Throws<ArgumentException>(() => SparseCodingProblem.Create([huge], [torch.ones(3)]));
        Assert.Contains("overflows Float32", tensor.Message);
        Assert.Contains("1E+20", tensor.Message);
    }
}
