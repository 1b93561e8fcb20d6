using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Choices;
using IstaNas.Evaluation;
using IstaNas.Evaluation.Onnx;
using IstaNas.Networks;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Evaluation;
using IstaNas.Tests.Strategies;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;
using BatchNorm2d = TorchSharp.Modules.BatchNorm2d;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Tests.Choices;

/// <summary>
/// One-stage ISTA-NAS on a model of your own: a choice whose candidates end in an affine BN (alpha absorbed into it) and
/// one whose candidates do not (alpha kept as a constant scale), the fixed model the result carries, its file, its ONNX
/// export and bit-exact resume.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public class OneStageChoiceSearchTests
{
    private const int Samples = 64;

    /// <summary>stem, "block" (two convolutions ending in an affine BN), "mix" (identity or pools, normalised), head.</summary>
    private static nn.Module<Tensor, Tensor> Net() => NetOf(6);

    private static nn.Module<Tensor, Tensor> NetOf(int c) =>
        nn.Sequential(
            ("stem", nn.Sequential(nn.Conv2d(3, c, 3, padding: 1, bias: false), nn.BatchNorm2d(c), nn.ReLU())),
            ("block", Choice.Of("block", 1, ConvBn(c, 3), ConvBn(c, 1)).WithLabels("conv3", "conv1")),
            ("mix", Choice.Of("mix", 1, nn.Identity(), nn.AvgPool2d(3, stride: 1, padding: 1), nn.MaxPool2d(3, stride: 1, padding: 1))
                .WithLabels("identity", "avg", "max").NormalizedBy(nn.BatchNorm2d(c, affine: false))),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("classifier", nn.Linear(c, 10)));

    private static nn.Module<Tensor, Tensor> ConvBn(int c, int kernel) =>
        nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, kernel, padding: kernel / 2, bias: false), nn.BatchNorm2d(c));

    private static SearchBuilder Builder(string? checkpoints, long seed = 3) =>
        new SearchBuilder().UseDataset(TinySearch.Data(count: Samples)).UseSpace(Net).UseSeed(seed)
            .UseOneStage(o =>
            {
                TinySearch.Configure(o, epochs: 2, steps: 2);
                o.MaxSearchEpochs = 2;
                o.CheckpointDirectory = checkpoints;
            });

    [Fact]
    public void AbsorbsAlphaIntoTheFinalBnKeepsItAsAScaleElsewhereAndTheFixedModelComputesTheSuperNet()
    {
        using var dir = new TempDirectory();
        SearchResult r = Builder(dir.Path).Build().Run();
        using nn.Module<Tensor, Tensor> model = r.Model!;

        Assert.Null(r.Genotype);
        Assert.Null(r.Network);
        Assert.InRange(r.History.Count(h => h.Phase == TrainingPhase.Search), 1, 2);
        Assert.Equal(2, r.History.Count(h => h.Phase == TrainingPhase.Train));
        Assert.Equal(["block", "mix"], r.History[^1].FrozenNodes);
        ChoiceArchitecture arch = r.Architecture!;
        Assert.Equal("alpha", arch.Score);
        Assert.Equal(["block", "mix"], arch.Choices.Select(c => c.Name));
        Choice block = model.modules().OfType<Choice>().Single(c => c.Name == "block");
        Choice mix = model.modules().OfType<Choice>().Single(c => c.Name == "mix");
        Assert.Equal(arch.Choices[0].Picks, block.FixedPicks);
        Assert.Equal(arch.Choices[1].Picks, mix.FixedPicks);
        Assert.Null(block.FixedScales); // both candidates end in an affine BN: alpha is inside it
        float mixAlpha = (float)arch.Choices[1].Scores![0];
        Assert.Equal([mixAlpha], mix.FixedScales!); // identity and pools: alpha stays a scale
        Assert.NotEqual(1f, mixAlpha);
        Assert.InRange(r.AbsorptionMaxError!.Value, 0, 1e-5);

        // Independently: the super-net of the last checkpoint with the frozen alpha set on its choices gives the same outputs.
        using Tensor x = randn(8, 3, 16, 16, generator: new TorchSharp.torch.Generator(11));
        using var superNet = new ChoiceSuperNet(Net(), x);
        Checkpoint.Load(Path.Combine(dir.Path, "one-stage.ckpt")).LoadModule(superNet);
        using var scope = NewDisposeScope();
        superNet.SetWeights([.. arch.Choices.Select(c => new NodeWeights([.. c.Picks], tensor(c.Scores!.Select(s => (float)s).ToArray())))]);
        superNet.eval();
        model.eval();
        using (no_grad())
        {
            Tensor expected = superNet.forward(x), actual = model.call(x);
            Assert.True((expected - actual).abs().max().item<float>() <= 1e-5f, $"max difference {(expected - actual).abs().max().item<float>()}");
            // Without the absorption the block's output would be off by its alpha: the check can fail.
            BatchNorm2d bn = (BatchNorm2d)((TorchSharp.Modules.Sequential)block.Candidate(block.FixedPicks![0])).children().Last();
            using (Tensor saved = bn.weight!.clone())
            {
                bn.weight.div_(arch.Choices[0].Scores![0]);
                Assert.True((expected - model.call(x)).abs().max().item<float>() > 1e-4f, "un-absorbing alpha changed nothing");
                bn.weight.copy_(saved);
            }
        }
    }

    [Fact]
    public void TheResultsModelSavesLoadsWithItsFactoryPredictsAndExportsToOnnxWithTheScale()
    {
        using var dir = new TempDirectory();
        SearchResult r = Builder(null, seed: 4).Build().Run();
        using nn.Module<Tensor, Tensor> model = r.Model!;
        SavedFiles saved = r.Save(dir.Path);
        Assert.True(saved.AllWritten);
        using TrainedNetwork loaded = TrainedNetwork.Load(Path.Combine(dir.Path, EvaluationResult.ModelFileName), Net);
        Choice mix = loaded.Model.modules().OfType<Choice>().Single(c => c.Name == "mix");
        Assert.Equal([(float)r.Architecture!.Choices[1].Scores![0]], mix.FixedScales!);

        using Tensor x = randn(4, 3, 16, 16, generator: new TorchSharp.torch.Generator(12));
        using var scope = NewDisposeScope();
        model.eval();
        loaded.Model.eval();
        Tensor logits;
        using (no_grad())
        {
            logits = model.call(x);
            Assert.True((logits - loaded.Model.call(x)).abs().max().item<float>() == 0, "the loaded model differs");
        }
        Assert.Equal(4, loaded.Predict(x, topK: 1).Count);

        string onnx = dir.File("model.onnx");
        loaded.ExportOnnx(onnx);
        using InferenceSession session = OnnxTestHelpers.Session(onnx);
        float[] data = x.contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, x.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ModuleOnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        Tensor actual = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
        Assert.True((logits - actual).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void AFactoryThatBuildsAnotherModelForTheResultIsNamedInTheError()
    {
        int calls = 0; // Build checks the space (1), the run builds its super-net (2), the result a fresh model (3)
        var builder = new SearchBuilder().UseDataset(TinySearch.Data(count: Samples)).UseSpace(() => NetOf(++calls < 3 ? 6 : 5)).UseSeed(1)
            .UseOneStage(o =>
            {
                TinySearch.Configure(o, epochs: 1, steps: 1);
                o.MaxSearchEpochs = 1;
            });
        var e = Assert.Throws<InvalidOperationException>(() => builder.Build().Run());
        Assert.Contains("The space's factory built a model (Sequential) whose parameters and buffers differ from the searched one's", e.Message, StringComparison.Ordinal);
        Assert.Contains("'stem.0.weight' is 6x3x3x3 in the searched model and 5x3x3x3 in the new one", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, calls);
    }

    [Theory]
    [InlineData("macro")]
    [InlineData("nb201")]
    public void TheBenchmarkSpacesOneStageModelAbsorbsWhereItsCandidatesEndInBnAndExportsToOnnx(string space)
    {
        Func<nn.Module<Tensor, Tensor>> factory = space == "macro"
            ? () => IstaNas.Spaces.Macro.MacroSpace.CreateSearchModel(10)
            : () => IstaNas.Spaces.Nb201.Nb201Space.OneStageSearchModel(10, channels: 4, cellsPerStage: 1);
        SearchResult r = new SearchBuilder().UseDataset(TinySearch.Data(count: 32)).UseSpace(factory).UseSeed(2)
            .UseOneStage(o =>
            {
                TinySearch.Configure(o, epochs: 1, steps: 1);
                o.MaxSearchEpochs = 1;
            }).Build().Run();
        using nn.Module<Tensor, Tensor> model = r.Model!;
        Assert.InRange(r.AbsorptionMaxError!.Value, 0, 1e-5);
        Choice[] choices = [.. model.modules().OfType<Choice>()];
        if (space == "macro")
        {
            // The first layer of each stage: every candidate ends in a BN (identity = 1x1 conv + BN, blocks without shortcut).
            Assert.Equal(["layer0", "layer2", "layer5"], choices.Where(c => c.FixedScales is null).Select(c => c.Name));
        }
        else
        {
            // nor_conv_* absorb alpha into their BN; skip_connect, avg_pool_3x3 and none keep it as a scale.
            Assert.All(choices, c => Assert.Equal(c.FixedPicks![0] is 2 or 3, c.FixedScales is null));
        }

        using var dir = new TempDirectory();
        Assert.True(r.Save(dir.Path).AllWritten);
        using TrainedNetwork loaded = TrainedNetwork.Load(Path.Combine(dir.Path, EvaluationResult.ModelFileName), factory);
        string onnx = dir.File("model.onnx");
        loaded.ExportOnnx(onnx);
        using Tensor x = randn(2, 3, 16, 16, generator: new TorchSharp.torch.Generator(13));
        using var scope = NewDisposeScope();
        model.eval();
        Tensor logits;
        using (no_grad()) logits = model.call(x);
        using InferenceSession session = OnnxTestHelpers.Session(onnx);
        float[] data = x.contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, x.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ModuleOnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        Tensor actual = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
        Assert.True((logits - actual).abs().max().item<float>() < 1e-4f, $"ONNX Runtime differs by {(logits - actual).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(1)] // while searching
    [InlineData(3)] // while training the fixed architecture (the search ends after epoch 1 or 2)
    public void CancelledMidEpochAndResumedEndsBitForBitLikeAnUninterruptedRun(int cancelEpoch)
    {
        using var dir = new TempDirectory();
        string full = dir.File("full"), split = dir.File("split");
        SearchResult Run(string checkpoints, string? resume = null, IProgress<StepReport>? steps = null, CancellationToken ct = default)
        {
            SearchBuilder b = Builder(checkpoints, seed: 6);
            if (steps is not null) b.WithStepProgress(steps);
            if (resume is not null) b.ResumeFrom(resume);
            return b.Build().Run(ct);
        }

        SearchResult uninterrupted = Run(full);
        uninterrupted.Model!.Dispose();
        using var cts = new CancellationTokenSource();
        SearchResult first = Run(split, steps: new InlineProgress<StepReport>(s => { if (s.Epoch == cancelEpoch && s.Step == 1) cts.Cancel(); }), ct: cts.Token);
        first.Model!.Dispose();
        Assert.True(first.Cancelled);
        Assert.Equal(cancelEpoch - 1, first.History.Count);
        SearchResult resumed = Run(split, resume: Path.Combine(split, "one-stage.ckpt"));
        using nn.Module<Tensor, Tensor> model = resumed.Model!;

        Assert.Equal(uninterrupted.History.Select(h => (h.Phase, BitConverter.DoubleToInt64Bits(h.TrainLoss))), resumed.History.Select(h => (h.Phase, BitConverter.DoubleToInt64Bits(h.TrainLoss))));
        Assert.Equal(uninterrupted.SearchSpace!.ToJson(), resumed.SearchSpace!.ToJson());
        Assert.Equal(uninterrupted.Architecture!.ToJson(), resumed.Architecture!.ToJson());
        Checkpoint a = Checkpoint.Load(Path.Combine(full, "one-stage.ckpt")), b = Checkpoint.Load(Path.Combine(split, "one-stage.ckpt"));
        foreach (string section in a.SectionNames)
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");

        // ContinueFrom takes the strategy and options from the checkpoint; the space is given again.
        SearchResult continued = new SearchBuilder().UseDataset(TinySearch.Data(count: Samples)).ContinueFrom(Path.Combine(split, "one-stage.ckpt"))
            .UseSpace(Net).Build().Run();
        using nn.Module<Tensor, Tensor> again = continued.Model!;
        Assert.Equal(resumed.Architecture.ToJson(), continued.Architecture!.ToJson());
    }
}
