using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Strategies;
using static TorchSharp.torch;

namespace IstaNas.Tests.Strategies;

public class OneStageStrategyTests
{
    private static SearchResult Run(Action<OneStageOptions> configure, int size = 16) =>
        new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 128, size: size))
            .UseOneStage(o =>
            {
                TinySearch.Configure(o, epochs: 2, steps: 3);
                o.Auxiliary = false;
                o.ParameterBudgetMillions = null;
                configure(o);
            })
            .UseSeed(4)
            .Build()
            .Run();

    [Fact]
    public void NodesFreezeSearchEndsTrainingContinuesAndTheAbsorbedNetworkMatches()
    {
        SearchResult result = Run(o =>
        {
            o.Epsilon = 10; // every node converges after its first recovery
            o.MaxSearchEpochs = 5;
        });
        Assert.Equal(TrainingPhase.Search, result.History[0].Phase);
        Assert.Equal(8, result.History[0].FrozenNodes.Count);
        Assert.Equal([TrainingPhase.Search, TrainingPhase.Train, TrainingPhase.Train], result.History.Select(h => h.Phase));
        Assert.Equal([1, 2, 3], result.History.Select(h => h.Epoch));
        Assert.Equal(3, result.History[^1].Epochs);
        Assert.All(result.History.Skip(1), h => Assert.Empty(h.ZChange));
        Assert.All(result.History.Skip(1), h => Assert.Equal(result.Genotype, h.Genotype));
        var net = Assert.IsType<EvaluationNetwork>(result.Network);
        using (net)
        {
            Assert.True(net.Options.BatchNormAfterParameterFree);
            Assert.True(result.AbsorptionMaxError < 1e-4, $"absorbed network differs by {result.AbsorptionMaxError}");
            using var scope = NewDisposeScope();
            net.eval();
            Tensor x = randn(2, 3, 16, 16);
            Assert.Equal(new long[] { 2, 10 }, net.forward(x).shape);

            // The genotype and the trained network agree, so they save and load together.
            string path = Path.Combine(Path.GetTempPath(), $"istanas-onestage-{Guid.NewGuid():N}.ckpt");
            try
            {
                new TrainedNetwork(net, result.Genotype!).Save(path); // the wrapper is not disposed: net stays this test's
                using TrainedNetwork loaded = TrainedNetwork.Load(path);
                loaded.Network.eval();
                Assert.Equal(result.Genotype, loaded.Genotype);
                Assert.True(loaded.Network.forward(x).Same(net.forward(x)));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void NodesThatKeepMovingAreFrozenAtTheSearchCap()
    {
        SearchResult result = Run(o =>
        {
            o.Epsilon = 0; // nothing converges by itself
            o.MaxSearchEpochs = 2;
            o.Epochs = 1;
        });
        Assert.Equal([TrainingPhase.Search, TrainingPhase.Search, TrainingPhase.Train], result.History.Select(h => h.Phase));
        Assert.Empty(result.History[0].FrozenNodes);
        Assert.Equal(8, result.History[1].FrozenNodes.Count);
        Assert.True(result.AbsorptionMaxError < 1e-4);
        result.Network!.Dispose();
    }

    [Fact]
    public void ABudgetRejectedEpochStillFreezesConvergedNodesAtTheirPreviousCode()
    {
        // The authors' trainer.py computes the freeze flags before the budget check: a rejected code is discarded, and
        // the nodes whose recovered code moved by at most epsilon freeze anyway, at the code they had before.
        SearchResult result = Run(o =>
        {
            o.Epsilon = 10; // every recovered code counts as converged
            o.Epochs = 1;
            o.ParameterBudgetMillions = 1e-6; // every derived network is above it
        });
        Assert.Equal(8, result.History[0].FrozenNodes.Count);
        Assert.Equal([TrainingPhase.Search, TrainingPhase.Train], result.History.Select(h => h.Phase));
        using var initial = new IstaNas.SearchSpace.CompressedSearchSpace(
            new IstaNas.SearchSpace.SearchSpaceOptions(), IstaNas.SparseCoding.SparseCoder.Create(new IstaNas.SparseCoding.SparseCoderOptions()), seed: 4);
        Assert.Equal(initial.DeriveGenotype(), result.Genotype);
        Assert.Empty(result.Warnings);
        result.Network!.Dispose();
    }

    [Fact]
    public void NoSearchCapByDefaultAndTheCapWarnsInTheLogAndTheResult()
    {
        Assert.Null(new OneStageOptions().MaxSearchEpochs);
        SearchResult result = Run(o =>
        {
            o.Epsilon = 0;
            o.MaxSearchEpochs = 1;
            o.Epochs = 1;
        });
        string warning = Assert.Single(result.Warnings);
        Assert.Contains("MaxSearchEpochs = 1", warning);
        result.Network!.Dispose();
    }

    [Fact]
    public void TheTrainingPhaseAnnealsToTheAuthorsFloorAndTheEvaluationTrainerToZero()
    {
        Assert.Equal(0.001, new OneStageOptions().LearningRateMin);
        Assert.Equal(0.0, new EvaluationOptions().LearningRateMin);
        SearchResult result = Run(o =>
        {
            o.Epsilon = 10;
            o.Epochs = 3;
            o.LearningRate = 0.025;
            o.LearningRateMin = new OneStageOptions().LearningRateMin;
        });
        // Search epoch at the initial rate, then cosine from 0.025 towards 0.001 over the 3 training epochs.
        Assert.Equal([0.025, 0.025, 0.019, 0.007], result.History.Select(h => Math.Round(h.LearningRate, 3)));
        result.Network!.Dispose();
    }

    [Fact]
    public void AuxiliaryHeadRunsOn32PixelImages()
    {
        SearchResult result = Run(o =>
        {
            o.Auxiliary = true;
            o.Epsilon = 10;
            o.Epochs = 1;
        }, size: 32);
        var net = Assert.IsType<EvaluationNetwork>(result.Network);
        using (net)
        {
            Assert.NotNull(net.AuxiliaryHead);
            Assert.True(result.AbsorptionMaxError < 1e-4);
        }
    }

    [Fact]
    public void AuxiliaryHeadOnSmallImagesIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Run(o => o.Auxiliary = true, size: 16));
        Assert.Contains("32x32", ex.Message);
    }
}
