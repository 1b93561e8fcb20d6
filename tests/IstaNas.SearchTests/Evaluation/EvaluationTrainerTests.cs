using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace IstaNas.Tests.Evaluation;

[Collection(TorchGlobalStateCollection.Name)]
public class EvaluationTrainerTests
{
    public EvaluationTrainerTests()
    {
        // One intra-op thread: the machine's two cores are shared, and oversubscribed OpenMP threads spin (10x slower).
        torch.set_num_threads(1);
    }

    private static readonly ImageDataset Train = Synthetic.Create(40, 1);
    private static readonly ImageDataset Test = Synthetic.Create(20, 2);

    private static EvaluationOptions Tiny(string? checkpoints, int epochs = 3) => new()
    {
        Epochs = epochs, BatchSize = 8, Channels = 4, Layers = 3, MaxStepsPerEpoch = 2, MaxTestSteps = 1, Seed = 5,
        CheckpointDirectory = checkpoints, LearningRate = 0.05,
    };

    private sealed class Inline<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    private static void AssertSameWeights(EvaluationNetwork expected, EvaluationNetwork actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys)
            Assert.True(a[key].equal(b[key]).all().item<bool>(), $"{key} differs");
    }

    [Fact]
    public void TrainsReportsAndCheckpointsEveryEpoch()
    {
        using var dir = new TempDirectory();
        var reports = new List<EpochReport>();
        var steps = new List<StepReport>();
        var trainer = new EvaluationTrainer(Genotype.IstaTwoStage, Tiny(dir.Path, epochs: 2)) { StepProgress = new Inline<StepReport>(steps.Add) };
        EvaluationResult result = trainer.Train(Train, Test, new Inline<EpochReport>(reports.Add));
        using var net = result.Network;
        Assert.False(result.Cancelled);
        Assert.Equal(2, reports.Count);
        Assert.Equal(4, steps.Count);
        Assert.All(reports, r => Assert.Equal(TrainingPhase.Evaluate, r.Phase));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.TrainLoss) && double.IsFinite(r.TestLoss) && double.IsNaN(r.ValidLoss)));
        Assert.All(reports, r => Assert.InRange(r.TestTop5, r.TestAccuracy, 1.0));
        Assert.Equal(0.05, reports[0].LearningRate);
        Assert.Equal(0.025, reports[1].LearningRate, 12);
        Assert.Equal(reports[^1].TestAccuracy, result.TestAccuracy);
        Assert.Equal(net.ParameterCount, result.ParameterCount);
        Assert.True(result.AuxiliaryParameterCount > 0);
        Assert.Equal(result.ParameterCount, new EvaluationNetwork(trainer.NetworkOptions(Train), Genotype.IstaTwoStage).ParameterCount);
        Checkpoint c = Checkpoint.Load(Path.Combine(dir.Path, EvaluationTrainer.CheckpointFileName));
        Assert.Equal(2, c.Metadata.Epoch);
        Assert.Equal(0, c.Metadata.Step);
        Assert.Equal(["network", "optimizer", "rng"], c.SectionNames);
    }

    [Fact]
    public void StoppedAndResumedRunsEndBitIdentical()
    {
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        using var dirC = new TempDirectory();
        Genotype g = Genotype.IstaOneStage;

        // Uninterrupted: 3 epochs.
        EvaluationResult a = new EvaluationTrainer(g, Tiny(dirA.Path)).Train(Train, Test);
        using var netA = a.Network;

        // Stopped after epoch 2 (at the epoch boundary), then resumed for the third.
        using (var cts = new CancellationTokenSource())
        {
            EvaluationResult stopped = new EvaluationTrainer(g, Tiny(dirB.Path)).Train(Train, Test,
                new Inline<EpochReport>(r => { if (r.Epoch == 2) cts.Cancel(); }), cts.Token);
            stopped.Network.Dispose();
            Assert.True(stopped.Cancelled);
            Assert.Equal(2, stopped.EpochsCompleted);
        }

        EvaluationResult b = new EvaluationTrainer(g, Tiny(dirB.Path)).Resume(Path.Combine(dirB.Path, EvaluationTrainer.CheckpointFileName), Train, Test);
        using var netB = b.Network;
        Assert.False(b.Cancelled);
        Assert.Equal(3, b.History.Count);
        AssertSameWeights(netA, netB);
        Assert.Equal(a.History.Select(r => r.TestLoss), b.History.Select(r => r.TestLoss));
        Assert.Equal(a.History.Select(r => r.TrainLoss), b.History.Select(r => r.TrainLoss));

        // Stopped in the middle of epoch 2 (after its first step), then resumed.
        using (var cts = new CancellationTokenSource())
        {
            var trainer = new EvaluationTrainer(g, Tiny(dirC.Path)) { StepProgress = new Inline<StepReport>(s => { if (s.Epoch == 2 && s.Step == 1) cts.Cancel(); }) };
            EvaluationResult stopped = trainer.Train(Train, Test, null, cts.Token);
            stopped.Network.Dispose();
            Assert.True(stopped.Cancelled);
            Checkpoint mid = Checkpoint.Load(stopped.CheckpointPath!);
            Assert.Equal(1, mid.Metadata.Epoch);
            Assert.Equal(1, mid.Metadata.Step);
        }

        EvaluationResult c = new EvaluationTrainer(g, Tiny(dirC.Path)).Resume(Path.Combine(dirC.Path, EvaluationTrainer.CheckpointFileName), Train, Test);
        using var netC = c.Network;
        AssertSameWeights(netA, netC);
        Assert.Equal(a.History.Select(r => r.TrainLoss), c.History.Select(r => r.TrainLoss));
        Assert.Equal(a.History.Select(r => r.TestAccuracy), c.History.Select(r => r.TestAccuracy));
    }

    [Fact]
    public void CancelledBeforeTheFirstStepSavesAResumableCheckpoint()
    {
        using var dir = new TempDirectory();
        var options = Tiny(dir.Path, epochs: 1);
        options.MaxStepsPerEpoch = 1;
        EvaluationResult stopped = new EvaluationTrainer(Genotype.DartsV2, options).Train(Train, Test, null, new CancellationToken(true));
        stopped.Network.Dispose();
        Assert.True(stopped.Cancelled);
        Assert.Empty(stopped.History);
        Assert.True(double.IsNaN(stopped.TestAccuracy));
        Checkpoint c = Checkpoint.Load(stopped.CheckpointPath!);
        Assert.Equal((0, 0), (c.Metadata.Epoch, c.Metadata.Step));
        EvaluationResult resumed = new EvaluationTrainer(Genotype.DartsV2, options).Resume(stopped.CheckpointPath!, Train, Test);
        using var net = resumed.Network;
        Assert.Single(resumed.History);
        Assert.False(resumed.Cancelled);
    }

    [Fact]
    public void ResumeRefusesADifferentRunAndLeavesTheCheckpoint()
    {
        using var dir = new TempDirectory();
        var options = Tiny(dir.Path, epochs: 1);
        options.MaxStepsPerEpoch = 1;
        new EvaluationTrainer(Genotype.DartsV2, options).Train(Train, Test).Network.Dispose();
        string path = Path.Combine(dir.Path, EvaluationTrainer.CheckpointFileName);
        byte[] before = File.ReadAllBytes(path);

        var wider = Tiny(dir.Path, epochs: 1);
        wider.MaxStepsPerEpoch = 1;
        wider.Channels = 6;
        var ex = Assert.Throws<CheckpointException>(() => new EvaluationTrainer(Genotype.DartsV2, wider).Resume(path, Train, Test));
        Assert.Contains("network.channels: checkpoint '4', expected '6'", ex.Message);

        var other = Assert.Throws<CheckpointException>(() => new EvaluationTrainer(Genotype.IstaImageNet, options).Resume(path, Train, Test));
        Assert.Contains("genotype.normal", other.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Throws<FileNotFoundException>(() => new EvaluationTrainer(Genotype.DartsV2, options).Resume(dir.File("none.ckpt"), Train, Test));
    }

    [Fact]
    public void SavedNetworkLoadsBackAndRefusesAnotherArchitecture()
    {
        using var dir = new TempDirectory();
        var options = Tiny(null, epochs: 1);
        options.MaxStepsPerEpoch = 1;
        options.BatchNormAfterParameterFree = true;
        EvaluationResult result = new EvaluationTrainer(Genotype.IstaOneStage, options).Train(Train, Test);
        using var net = result.Network;
        IReadOnlyList<string> files = result.Save(dir.Path).Written;
        Assert.Equal(["model.ckpt", "genotype.json", "network.json", "history.json", "history.csv", "result.json"], files.Select(Path.GetFileName));
        Assert.Equal(Genotype.IstaOneStage, Genotype.Load(files[1]));

        using (TrainedNetwork trained = TrainedNetwork.Load(files[0]))
        {
            EvaluationNetwork loaded = trained.Network;
            Assert.Equal(Genotype.IstaOneStage, trained.Genotype);
            Assert.True(loaded.Options.BatchNormAfterParameterFree);
            AssertSameWeights(net, loaded);
            using var scope = torch.NewDisposeScope();
            loaded.eval();
            var x = torch.randn(2, 3, 32, 32);
            Assert.True(net.forward(x).equal(loaded.forward(x)).all().item<bool>());
        }

        using var wrongGenotype = new EvaluationNetwork(net.Options, Genotype.DartsV2);
        var ex = Assert.Throws<CheckpointException>(() => TrainedNetwork.LoadInto(files[0], wrongGenotype, Genotype.DartsV2));
        Assert.Contains("genotype.normal", ex.Message);
        using var wrongOptions = new EvaluationNetwork(net.Options with { BatchNormAfterParameterFree = false }, Genotype.IstaOneStage);
        ex = Assert.Throws<CheckpointException>(() => TrainedNetwork.LoadInto(files[0], wrongOptions, Genotype.IstaOneStage));
        Assert.Contains("network.batchNormAfterParameterFree: checkpoint 'true', expected 'false'", ex.Message);
        Assert.Throws<ArgumentException>(() => TrainedNetwork.LoadInto(files[0], wrongOptions, Genotype.DartsV2));
    }

    [Fact]
    public void InvalidOptionsAndDataAreRejected()
    {
        var bad = Tiny(null);
        bad.Epochs = 0;
        var ex = Assert.Throws<OptionsValidationException>(() => new EvaluationTrainer(Genotype.DartsV2, bad));
        Assert.Contains("Epochs", string.Join(";", ex.Failures));
        var lr = Tiny(null);
        lr.LearningRateMin = 1;
        Assert.Throws<OptionsValidationException>(() => new EvaluationTrainer(Genotype.DartsV2, lr));

        var small = Synthetic.Create(10, 3, new SyntheticOptions { ImageSize = 16 });
        var trainer = new EvaluationTrainer(Genotype.DartsV2, Tiny(null));
        Assert.Contains("16 x 16 images give 4 x 4: it is built for 32 x 32 images", Assert.Throws<ArgumentException>(() => trainer.Train(small, small)).Message);
        Assert.Contains("differ", Assert.Throws<ArgumentException>(() => trainer.Train(Train, small)).Message);
    }

    [Fact]
    public void SixteenPixelImagesTrainWithoutTheAuxiliaryHead()
    {
        var small = Synthetic.Create(16, 3, new SyntheticOptions { ImageSize = 16 });
        var options = Tiny(null, epochs: 1);
        options.Auxiliary = false;
        options.Cutout = true;
        options.CutoutLength = 8;
        EvaluationResult result = new EvaluationTrainer(Genotype.DartsV2, options).Train(small, small);
        using var net = result.Network;
        Assert.Equal(0, result.AuxiliaryParameterCount);
        Assert.Single(result.History);
        Assert.True(double.IsFinite(result.TestLoss));
    }
}
