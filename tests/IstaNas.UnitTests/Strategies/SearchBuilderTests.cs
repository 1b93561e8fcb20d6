using IstaNas.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.Strategies;

public class SearchBuilderTests
{
    [Fact]
    public void BuildFailsOnABadOptionNamingItAndItsValue()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new SearchBuilder()
            .UseSyntheticDataset(64)
            .UseTwoStage(o => o.Epochs = 0)
            .Build());
        Assert.Contains("TwoStage.Epochs", ex.Message);
        Assert.Contains("(value: 0)", ex.Message);

        var space = Assert.Throws<OptionsValidationException>(() => new SearchBuilder()
            .UseSyntheticDataset(64)
            .ConfigureSearchSpace(s => s.ProjectionDims = -3)
            .Build());
        Assert.Contains("SearchSpace.ProjectionDims", space.Message);
        Assert.Contains("-3", space.Message);

        var recovery = Assert.Throws<OptionsValidationException>(() => new SearchBuilder()
            .UseSyntheticDataset(64)
            .ConfigureSparseCoder(r => r.Lambda = -1)
            .Build());
        Assert.Contains("SparseCoder.Lambda", recovery.Message);
    }

    [Fact]
    public void CrossFieldRulesAreChecked()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new SearchBuilder()
            .UseSyntheticDataset(64)
            .UseOneStage(o => { o.LearningRate = 0.01; o.LearningRateMin = 0.1; })
            .Build());
        Assert.Contains("LearningRateMin", ex.Message);
    }

    [Fact]
    public void BuildWithoutDataSaysWhatToCall()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new SearchBuilder().Build());
        Assert.Contains("UseSyntheticDataset", ex.Message);
    }

    [Fact]
    public void ACudaDeviceWithoutCudaIsAClearError()
    {
        if (TorchSharp.torch.cuda.is_available()) return; // only meaningful on a machine without a GPU, like CI
        var ex = Assert.Throws<ArgumentException>(() => new SearchBuilder().UseDevice("cuda"));
        Assert.Contains("CUDA", ex.Message);
        Assert.Throws<ArgumentException>(() => new SearchBuilder().UseDevice("toaster"));
    }

    [Fact]
    public void AMissingCheckpointIsNamed()
    {
        var ckpt = Assert.Throws<FileNotFoundException>(() => new SearchBuilder().ResumeFrom("/no/such/run.ckpt"));
        Assert.Contains("/no/such/run.ckpt", ckpt.Message);
    }

    [Fact]
    public void ADataSetLoaderRunsAtBuildWithTheLoggingTheBuilderHasThen()
    {
        ILoggerFactory? given = null;
        int calls = 0;
        var builder = new SearchBuilder().UseDataset(loggers =>
        {
            calls++;
            given = loggers;
            return Synthetic.Create(64, 1);
        });
        Assert.Equal(0, calls); // nothing is read at the call
        using var factory = new LoggerFactory();
        Search search = builder.UseLogging(factory).Build();
        Assert.Equal(1, calls);
        Assert.Same(factory, given);
        Assert.Equal(64, search.Context.Train.Count);

        var none = Assert.Throws<InvalidOperationException>(() => new SearchBuilder().UseDataset(_ => null!).Build());
        Assert.Contains("returned null", none.Message);
        Assert.Throws<ArgumentNullException>(() => new SearchBuilder().UseDataset((Func<ILoggerFactory, LabelledDataset>)null!));
    }

    [Fact]
    public void ASearchTakesNoTestSetItWouldNeverRead()
    {
        // UseDataset(train, test) used to accept a test set of any classes or shape that no strategy read (NaN test accuracy).
        Assert.All(typeof(SearchBuilder).GetMethods().Where(m => m.Name == nameof(SearchBuilder.UseDataset)), m => Assert.Single(m.GetParameters()));
        Assert.Null(typeof(Search).GetProperty("TestSet"));
    }

    [Theory]
    [InlineData("evaluation")]
    [InlineData("network")]
    public void ContinuingFromACheckpointOfAnotherKindNamesItsKind(string kind)
    {
        using var dir = new IstaNas.Tests.Data.TempDirectory();
        string path = dir.File("evaluation.ckpt");
        // An evaluation's checkpoint stores its own settings (a genotype and evaluation options) under the same key.
        new IstaNas.Checkpoints.CheckpointWriter(kind, IstaNas.Checkpoints.CheckpointFingerprint.Empty)
            .SetValue("settings", new IstaNas.Evaluation.EvaluationSettings(IstaNas.Architecture.Genotype.DartsV2, new IstaNas.Evaluation.EvaluationOptions()))
            .Save(path);
        var ex = Assert.Throws<IstaNas.Checkpoints.CheckpointException>(() => new SearchBuilder().ContinueFrom(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains($"it is a '{kind}' checkpoint, not a search's", ex.Message);
    }

    [Fact]
    public void ADeviceLibTorchCannotTrainOnIsRefusedAtSetUp()
    {
        var named = Assert.Throws<ArgumentException>(() => new SearchBuilder().UseDevice("meta"));
        Assert.Contains("Device 'meta' cannot train", named.Message);
        Assert.Throws<ArgumentException>(() => new SearchBuilder().UseDevice(new TorchSharp.torch.Device("meta")));
        var trainer = Assert.Throws<ArgumentException>(() => new IstaNas.Evaluation.EvaluationTrainer(IstaNas.Architecture.Genotype.DartsV2,
            new IstaNas.Evaluation.EvaluationOptions(), new TorchSharp.torch.Device("meta")));
        Assert.Equal("device", trainer.ParamName);
        new SearchBuilder().UseDevice("cpu"); // the CPU always trains
    }
}
