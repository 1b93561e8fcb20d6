using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Evaluation.Onnx;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

public class OwnModelEvaluationTests
{
    /// <summary>Signals [N, 1, 32]: class k is a sine of frequency k + 1 with a random phase, plus noise.</summary>
    private static TensorDataset Signals(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * 32];
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            labels[n] = n % 3;
            double phase = random.NextDouble() * 2 * Math.PI;
            for (int t = 0; t < 32; t++)
                values[n * 32 + t] = (float)(Math.Sin(2 * Math.PI * (labels[n] + 1) * t / 32 + phase) + 0.2 * (random.NextDouble() - 0.5));
        }

        using Tensor x = tensor(values, [count, 1, 32]), y = tensor(labels);
        return TensorDataset.From(x, y, $"signals{seed}");
    }

    private static readonly TensorDataset Train = Signals(48, 1);
    private static readonly TensorDataset Test = Signals(12, 2);

    private static EvaluationOptions Options(string? directory, int epochs = 2) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.05,
        CheckpointDirectory = directory,
        Seed = 5,
    };

    private static nn.Module<Tensor, Tensor> NewModel() => ModuleOnnxExportTests.SignalModel();

    private static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (string key in a.Keys)
            Assert.True(a[key].Same(b[key]), $"'{key}' differs");
    }

    [Fact]
    public void AnOwnModelTrainsWithoutTheDartsExtrasAndResumesBitForBit()
    {
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        EvaluationResult a = EvaluationTrainer.ForModel(NewModel, Options(dirA.Path)).Train(Train, Test);
        using var modelA = a.Model;
        Assert.True(a.IsOwnModel);
        Assert.Equal(2, a.History.Count);
        // Only what runs counts: not the unpicked candidate 0 of 'block' (a Conv1d(8, 8, 3) with bias and a BatchNorm1d(8)).
        Assert.Equal(modelA.parameters().Sum(p => p.numel()) - (8 * 8 * 3 + 8 + 2 * 8), a.ParameterCount);
        Assert.Contains(a.Warnings, w => w.Contains("no auxiliary head", StringComparison.Ordinal));
        Assert.Contains(a.Warnings, w => w.Contains("without it", StringComparison.Ordinal));
        Assert.Contains(a.Warnings, w => w.Contains("holds tensors", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => a.Network);
        Assert.Equal([1, 32], a.Metadata!.InputShape);

        // Stopped after the first epoch, then continued from the checkpoint alone plus the factory.
        using (var cts = new CancellationTokenSource())
        {
            EvaluationResult stopped = EvaluationTrainer.ForModel(NewModel, Options(dirB.Path))
                .Train(Train, Test, new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); }), cts.Token);
            stopped.Model.Dispose();
            Assert.True(stopped.Cancelled);
            Assert.Equal(1, stopped.EpochsCompleted);
        }

        // Stopped after the first step of the second epoch, then continued.
        using var dirC = new TempDirectory();
        using (var cts = new CancellationTokenSource())
        {
            EvaluationTrainer trainer = EvaluationTrainer.ForModel(NewModel, Options(dirC.Path));
            trainer.StepProgress = new InlineProgress<StepReport>(s => { if (s.Epoch == 2 && s.Step == 1) cts.Cancel(); });
            EvaluationResult stopped = trainer.Train(Train, Test, null, cts.Token);
            stopped.Model.Dispose();
            Assert.True(stopped.Cancelled);
            Assert.Equal(1, Checkpoint.Load(stopped.CheckpointPath!).Metadata.Step);
        }

        string midEpoch = Path.Combine(dirC.Path, EvaluationTrainer.CheckpointFileName);
        EvaluationResult c = EvaluationTrainer.ForModelFromCheckpoint(midEpoch, NewModel).Resume(midEpoch, Train, Test);
        using var modelC = c.Model;
        AssertSameState(modelA, modelC);
        Assert.Equal(a.History.Select(r => r.TrainLoss), c.History.Select(r => r.TrainLoss));

        string checkpoint = Path.Combine(dirB.Path, EvaluationTrainer.CheckpointFileName);
        var e = Assert.Throws<CheckpointException>(() => EvaluationTrainer.FromCheckpoint(checkpoint));
        Assert.Contains("ForModelFromCheckpoint", e.Message, StringComparison.Ordinal);
        EvaluationResult b = EvaluationTrainer.ForModelFromCheckpoint(checkpoint, NewModel).Resume(checkpoint, Train, Test);
        using var modelB = b.Model;
        AssertSameState(modelA, modelB);
        Assert.Equal(a.History.Select(r => r.TrainLoss), b.History.Select(r => r.TrainLoss));
        Assert.Equal(a.History.Select(r => r.TestAccuracy), b.History.Select(r => r.TestAccuracy));
    }

    [Fact]
    public void ASavedOwnModelLoadsWithItsFactoryPredictsAndExports()
    {
        using var dir = new TempDirectory();
        EvaluationResult result = EvaluationTrainer.ForModel(NewModel, Options(null, epochs: 1)).Train(Train, Test);
        using var trained = result.Model;
        Assert.Empty(result.Save(dir.Path).Failed);
        string path = Path.Combine(dir.Path, EvaluationResult.ModelFileName);

        using TrainedNetwork loaded = TrainedNetwork.Load(path, NewModel);
        Assert.Equal([1, 32], loaded.InputShape);
        Assert.Equal(["0", "1", "2"], loaded.ClassNames);
        using var scope = NewDisposeScope();
        Tensor x = randn(4, 1, 32, generator: new Generator(9));
        trained.eval();
        Tensor expected;
        using (no_grad())
            expected = nn.functional.softmax(trained.call(x), 1);
        IReadOnlyList<Prediction> predictions = loaded.Predict(x, topK: 2);
        for (int n = 0; n < 4; n++)
            Assert.Equal(expected[n].data<float>().ToArray(), predictions[n].Probabilities);
        Assert.Contains("[N, 1, 32]", Assert.Throws<ArgumentException>(() => loaded.Predict(randn(2, 32))).Message, StringComparison.Ordinal);

        // The plain loader and a factory of another model say why they do not fit.
        Assert.Contains("Load(path, () => new YourModel())", Assert.Throws<CheckpointException>(() => TrainedNetwork.Load(path)).Message, StringComparison.Ordinal);
        var e = Assert.Throws<CheckpointException>(() => TrainedNetwork.Load(path, () => nn.Sequential(nn.Conv1d(1, 4, 3), nn.Flatten(), nn.Linear(120, 3))));
        Assert.Contains("does not fit the saved state", e.Message, StringComparison.Ordinal);
        Assert.Contains("'stem.0.weight'", e.Message, StringComparison.Ordinal);

        // The factory may build the open space: its choices are fixed to the saved picks. Other picks are refused.
        using (TrainedNetwork fromSpace = TrainedNetwork.Load(path, () => ModuleOnnxExportTests.SignalModel(fix: false)))
        {
            var choices = fromSpace.Model.named_modules().Select(m => m.module).OfType<IstaNas.Choices.Choice>().ToArray();
            Assert.Equal([[1], [0, 2]], choices.Select(c => c.FixedPicks!.ToArray()));
            Assert.Equal(predictions.Select(p => p.Probabilities), fromSpace.Predict(x, topK: 2).Select(p => p.Probabilities));
        }

        e = Assert.Throws<CheckpointException>(() => TrainedNetwork.Load(path, () => ModuleOnnxExportTests.SignalModel(blockPicks: [2])));
        Assert.Contains("fixes the choice 'block' to [2], the file to [1]", e.Message, StringComparison.Ordinal);

        // Exported, it gives the same logits in ONNX Runtime.
        string onnx = dir.File("model.onnx");
        loaded.ExportOnnx(onnx);
        using InferenceSession session = OnnxTestHelpers.Session(onnx);
        float[] data = x.contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, x.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ModuleOnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        Tensor logits;
        loaded.Model.eval();
        using (no_grad())
            logits = loaded.Model.call(x);
        Tensor actual = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
        Assert.True((logits - actual).abs().max().ToDouble() < 1e-4);
        Assert.Contains(session.ModelMetadata.CustomMetadataMap, p => p.Key == "input_shape" && p.Value == "[1,32]");
    }

    [Fact]
    public void AModelThatDoesNotFitTheDataAndTheDartsNetworkOnTensorsAreRefused()
    {
        var wrongClasses = Assert.Throws<ArgumentException>(() =>
            EvaluationTrainer.ForModel(() => nn.Sequential(nn.Flatten(), nn.Linear(32, 4)), Options(null)).Train(Train, Test));
        Assert.Contains("class scores [1, 3]", wrongClasses.Message, StringComparison.Ordinal);
        var wrongInput = Assert.Throws<ArgumentException>(() =>
            EvaluationTrainer.ForModel(() => nn.Sequential(nn.Flatten(), nn.Linear(16, 3)), Options(null)).Train(Train, Test));
        Assert.Contains("fails on an input of shape [1, 1, 32]", wrongInput.Message, StringComparison.Ordinal);
        var darts = Assert.Throws<ArgumentException>(() => new EvaluationTrainer(Genotype.DartsV2, Options(null)).Train(Train, Test));
        Assert.Contains("trains on images", darts.Message, StringComparison.Ordinal);
    }
}
