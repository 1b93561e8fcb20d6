using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Evaluation;
using IstaNas.Evaluation.Onnx;
using IstaNas.Tests.Data;
using IstaNas.Tests.Evaluation;
using IstaNas.Tests.OwnSpace;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Commands;

/// <summary>
/// <c>--space ASSEMBLY.dll:Namespace.TypeName</c>: a model of one's own with two kinds of choices (<see cref="TwoChoiceNet"/>,
/// loaded from this test assembly) searched by every strategy, resumed bit for bit after SIGKILL, evaluated from its
/// architecture.json and exported to ONNX; and the one-line errors of a bad --space.
/// </summary>
public sealed class OwnSpaceCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Assembly => typeof(TwoChoiceNet).Assembly.Location;

    private static string Spec<T>() => $"{Assembly}:{typeof(T).FullName}";

    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLineTests.RunWithin(TimeSpan.FromMinutes(4), args);

    private static string[] Tiny<T>(string output, params string[] args) =>
        ["search", "--space", Spec<T>(), "--data", "synthetic:48", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8",
         "--threads", "1", "--output", output, .. args];

    [Theory]
    [InlineData("two-stage")]
    [InlineData("one-stage")]
    [InlineData("darts")]
    [InlineData("random")]
    [InlineData("random", "--weight-sharing", "--candidates", "2", "--calibration-batches", "1")]
    public void EveryStrategySearchesTheModelAndWritesAnArchitectureOfItsTwoChoices(string strategy, params string[] extra)
    {
        string output = _dir.File(strategy);
        var (exit, stdout, err) = Run(Tiny<TwoChoiceNet>(output, ["--strategy", strategy, .. extra]));
        Assert.True(exit == 0, err);
        Assert.Contains($"{typeof(TwoChoiceNet).FullName} (a model of your own with choices)", stdout);
        IstaNas.Choices.Architecture architecture = IstaNas.Choices.Architecture.Load(Path.Combine(output, "architecture.json"));
        Assert.Equal(["block", "read"], architecture.Choices.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(architecture.Choices, c => Assert.Single(c.Picks));
        Assert.InRange(architecture.Picks["block"][0], 0, 2);
        Assert.InRange(architecture.Picks["read"][0], 0, 1);
        Assert.False(File.Exists(Path.Combine(output, "benchmark_architecture.txt")));
    }

    [Fact]
    public void EvaluateTrainsTheModelFixedToTheArchitectureAndExportRunsTheSameInOnnxRuntime()
    {
        string search = _dir.File("search"), evaluate = _dir.File("evaluate"), onnx = _dir.File("model.onnx");
        var (exit, _, err) = Run(Tiny<ChainNet>(search, "--quiet"));
        Assert.True(exit == 0, err);
        string architecturePath = Path.Combine(search, "architecture.json");
        IstaNas.Choices.Architecture architecture = IstaNas.Choices.Architecture.Load(architecturePath);
        Assert.Equal([1, 2], architecture.Choices.Select(c => c.Picks.Count).Order());
        (exit, _, err) = Run("evaluate", "--space", Spec<ChainNet>(), "--architecture", architecturePath, "--data", "synthetic:48", "--epochs", "1",
            "--steps-per-epoch", "2", "--test-steps", "1", "--batch-size", "8", "--threads", "1", "--output", evaluate, "--quiet");
        Assert.True(exit == 0, err);
        string model = Path.Combine(evaluate, EvaluationResult.ModelFileName);
        IReadOnlyDictionary<string, string> annotations = CheckpointInfo.Read(model).Annotations;
        Assert.Equal(Path.GetFullPath(Assembly) + ":" + typeof(ChainNet).FullName, annotations["space"]);
        (exit, _, err) = Run("evaluate", "--resume", Path.Combine(evaluate, "evaluation.ckpt"), "--epochs", "2", "--threads", "1", "--quiet");
        Assert.True(exit == 0, err); // the checkpoint alone rebuilds the fixed model of one's own
        Assert.Equal(2, CheckpointInfo.Read(Path.Combine(evaluate, "evaluation.ckpt")).Epoch);

        (exit, _, err) = Run("export", "--model", evaluate, "--onnx", onnx);
        Assert.True(exit == 0, err);
        string folder = _dir.File("images");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 3; i++)
            TestImages.WritePng(Path.Combine(folder, $"image-{i}.png"), TestImages.Solid(32, 32, TestImages.ClassColours[i]), 32, 32);
        (exit, string predictions, err) = Run("predict", "--model", evaluate, "--images", folder, "--top", "1");
        Assert.True(exit == 0, err);
        string[] lines = predictions.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
            Assert.StartsWith(Path.Combine(folder, $"image-{i}.png") + ": ", lines[i], StringComparison.Ordinal);

        using TrainedNetwork trained = TrainedNetwork.Load(model, () => architecture.Fix(new ChainNet()));
        using var session = OnnxTestHelpers.Session(onnx);
        using var scope = NewDisposeScope();
        Tensor images = randn(new long[] { 8, 3, 32, 32 }, generator: new Generator(7));
        using var input = OrtValue.CreateTensorValueFromMemory(images.contiguous().data<float>().ToArray(), images.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ModuleOnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        Tensor actual = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
        Tensor expected;
        trained.Model.eval();
        using (no_grad())
            expected = trained.Model.call(images);
        Assert.Equal(expected.shape, actual.shape);
        double max = (expected - actual).abs().max().ToDouble(), spread = (expected[.., 0] - expected[.., 1]).std().ToDouble();
        Assert.True(max < 1e-4, $"max |ONNX - TorchSharp| = {max}");
        Assert.True(spread > 1e-5, $"the logits hardly depend on the image (std {spread}): the comparison would prove little");
    }

    [Fact]
    public void OneStageSearchesOfAnExportableModelAndOfAModelWithItsOwnForwardExport()
    {
        string search = _dir.File("one-stage"), onnx = _dir.File("one-stage.onnx");
        var (exit, _, err) = Run(Tiny<ChainNet>(search, "--strategy", "one-stage", "--quiet"));
        Assert.True(exit == 0, err);
        Assert.Equal("alpha", IstaNas.Choices.Architecture.Load(Path.Combine(search, "architecture.json")).Score);
        (exit, _, err) = Run("export", "--model", search, "--onnx", onnx);
        Assert.True(exit == 0, err);
        using (var session = OnnxTestHelpers.Session(onnx))
            Assert.Single(session.OutputMetadata);

        string own = _dir.File("own");
        (exit, _, err) = Run(Tiny<TwoChoiceNet>(own, "--strategy", "one-stage", "--quiet"));
        Assert.True(exit == 0, err);
        (exit, _, err) = Run("export", "--model", own, "--onnx", _dir.File("own.onnx"));
        Assert.True(exit == 0, err); // TwoChoiceNet writes its own forward, with its choice over inputs, through IOnnxForward
        using (var session = OnnxTestHelpers.Session(_dir.File("own.onnx")))
            Assert.Single(session.OutputMetadata);
    }

    [Theory]
    [InlineData("two-stage", "b-optimizer")]
    [InlineData("one-stage", "b-optimizer")]
    [InlineData("darts", "alpha-optimizer")]
    public void KilledWithSigkillAndResumedEndsBitIdentical(string strategy, string architectureOptimizer)
    {
        string full = _dir.File($"full-{strategy}"), killed = _dir.File($"killed-{strategy}");
        string[] Search(string output) =>
        [
            "search", "--space", Spec<TwoChoiceNet>(), "--strategy", strategy, "--data", "synthetic:96", "--epochs", "3", "--steps-per-epoch", "3",
            "--batch-size", "8", "--seed", "4", "--threads", "1", "--json", "--output", output,
        ];
        List<JsonElement> uninterrupted = CliProcess.RunToEnd(Search(full));
        CliProcess.RunAndKillAfterTheFirstEpoch(Search(killed));
        string checkpoint = $"{strategy}.ckpt";
        Assert.InRange(Checkpoint.Load(Path.Combine(killed, checkpoint)).Metadata.Epoch, 1, 2);
        Assert.False(File.Exists(Path.Combine(killed, "architecture.json")));

        List<JsonElement> resumed = CliProcess.RunToEnd(["search", "--resume", Path.Combine(killed, checkpoint), "--threads", "1", "--json"]);

        Assert.Equal("done", resumed[^1].GetProperty("event").GetString());
        Assert.Equal(uninterrupted[^1].GetProperty("epochs").GetInt32(), resumed[^1].GetProperty("epochs").GetInt32());
        Assert.Equal(File.ReadAllText(Path.Combine(full, "architecture.json")), File.ReadAllText(Path.Combine(killed, "architecture.json")));
        CliProcess.AssertSameEnd(full, killed, checkpoint, "network", "w-optimizer", architectureOptimizer);
        Assert.Equal(uninterrupted[^1].GetProperty("event").GetString(), resumed[^1].GetProperty("event").GetString());
    }

    [Fact]
    public void ABadSpaceFailsWithOneLineNamingTheProblem()
    {
        string notAssembly = _dir.File("notes.dll");
        File.WriteAllText(notAssembly, "not an assembly");
        string missing = _dir.File("missing.dll");
        (string Expected, string Space)[] cases =
        [
            ($"the assembly '{missing}' does not exist", $"{missing}:My.Net"),
            ("is not a .NET assembly", $"{notAssembly}:My.Net"),
            ($"has no type 'IstaNas.Tests.OwnSpace.Missing'; its models (those with Choice fields first): {typeof(TwoChoiceNet).FullName}, {typeof(ChainNet).FullName}, ",
                $"{Assembly}:IstaNas.Tests.OwnSpace.Missing"),
            ($"{typeof(OwnSpaceCommandTests).FullName} is not a TorchSharp nn.Module<Tensor, Tensor>", Spec<OwnSpaceCommandTests>()),
            ($"{typeof(SizedNet).FullName} has no public parameterless constructor", Spec<SizedNet>()),
            ("the constructor of IstaNas.Tests.OwnSpace.ThrowingNet threw InvalidOperationException: ThrowingNet needs a config file that is not there", Spec<ThrowingNet>()),
            ("The model NoChoiceNet holds no Choice module: it has nothing to search.", Spec<NoChoiceNet>()),
        ];
        foreach (var (expected, space) in cases)
        {
            var (exit, _, err) = Run("search", "--space", space, "--data", "synthetic:48", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "8",
                "--output", _dir.File("bad"), "--quiet");
            Assert.Equal(2, exit);
            string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("error: ", line);
            Assert.Contains(expected, line);
        }
        Assert.False(Directory.Exists(_dir.File("bad")), "a bad --space made an output folder");

        var (sweepExit, _, sweepErr) = Run("sweep", "--space", Spec<TwoChoiceNet>(), "--output", _dir.File("sweep"));
        Assert.Equal(2, sweepExit);
        Assert.StartsWith($"error: sweep runs the built-in spaces (darts, macro, nb201); search a model of your own ({typeof(TwoChoiceNet).FullName})", sweepErr);
    }

    [Fact]
    public void EvaluateRefusesAnArchitectureOfAnotherModelWithOneLine()
    {
        string other = _dir.File("other.json");
        File.WriteAllText(other, IstaNas.Choices.Architecture.FromPicks(new Dictionary<string, int[]> { ["block"] = [0], ["layer9"] = [1] }).ToJson());
        var (exit, _, err) = Run("evaluate", "--space", Spec<TwoChoiceNet>(), "--architecture", other, "--data", "synthetic:48", "--epochs", "1",
            "--output", _dir.File("eval"), "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains($"error: --architecture does not fit {typeof(TwoChoiceNet).FullName}: The architecture has no picks for the model's choice(s) 'read'", err);
        (exit, _, err) = Run("evaluate", "--space", Spec<TwoChoiceNet>(), "--data", "synthetic:48", "--output", _dir.File("eval"), "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("needs --architecture (the architecture.json a search of this model wrote)", err);
    }

}
