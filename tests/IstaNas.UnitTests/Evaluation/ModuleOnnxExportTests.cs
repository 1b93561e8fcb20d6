using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using IstaNas.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

public class ModuleOnnxExportTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-4;

    /// <summary>A 1-D signal model [N, 1, 32] with two fixed choices, one of two picks with a normalisation after it.</summary>
    internal static Sequential SignalModel(int[]? blockPicks = null, bool fix = true)
    {
        Choice block = Choice.Of("block", 1,
            nn.Sequential(nn.Conv1d(8, 8, 3, padding: 1), nn.BatchNorm1d(8), nn.ReLU()),
            nn.Sequential(nn.Conv1d(8, 8, 7, padding: 3, bias: false), nn.BatchNorm1d(8), nn.ReLU6()),
            nn.Identity());
        Choice reduce = Choice.Of("reduce", 2, nn.MaxPool1d(2), nn.AvgPool1d(2), nn.Conv1d(8, 8, 3, stride: 2, padding: 1))
            .NormalizedBy(nn.BatchNorm1d(8, affine: false));
        if (fix)
        {
            block.Fix(blockPicks ?? [1]);
            reduce.Fix([0, 2]);
        }

        return nn.Sequential(
            ("stem", nn.Sequential(nn.Conv1d(1, 8, 5, padding: 2), nn.BatchNorm1d(8), nn.ReLU())),
            ("block", block), ("reduce", reduce),
            ("pool", nn.AdaptiveAvgPool1d(1)), ("flatten", nn.Flatten()), ("dropout", nn.Dropout(0.3)), ("classifier", nn.Linear(8, 3)));
    }

    /// <summary>An image model [N, 3, 16, 16] with fixed choices over convolutions and pools.</summary>
    private static Sequential ImageModel()
    {
        Choice op = Choice.Of("op", 1,
            nn.Sequential(nn.Conv2d(8, 8, 3, padding: 1, bias: false), nn.BatchNorm2d(8), nn.ReLU()),
            nn.Sequential(nn.Conv2d(8, 8, 5, padding: 2, groups: 8, bias: false), nn.BatchNorm2d(8), nn.ReLU()),
            nn.MaxPool2d(3, stride: 1, padding: 1));
        Choice mix = Choice.Of("mix", 2, nn.Identity(), nn.AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false),
            nn.Conv2d(8, 8, 3, padding: 2, dilation: 2), nn.Dropout2d(0.2));
        op.Fix([1]);
        mix.Fix([1, 2]);
        return nn.Sequential(
            nn.Conv2d(3, 8, 3, padding: 1, bias: false), nn.BatchNorm2d(8), nn.ReLU(),
            op, mix, nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10));
    }

    internal static void RandomiseBatchNorms(nn.Module model, int seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not BatchNorm bn) continue;
            bn.running_mean!.copy_(rand(bn.running_mean.shape, generator: generator) * 0.6 - 0.3);
            bn.running_var!.copy_(rand(bn.running_var.shape, generator: generator) * 1.5 + 0.5);
            bn.weight?.copy_(rand(bn.weight.shape, generator: generator) + 0.5);
            bn.bias?.copy_(rand(bn.bias.shape, generator: generator) - 0.5);
        }
    }

    private double ExportAndCompare(nn.Module<Tensor, Tensor> model, int[] sampleShape, string name) => ExportAndCompare(model, sampleShape, name, log);

    /// <summary>Exports <paramref name="model"/> and returns the largest |ONNX Runtime - TorchSharp| over two random batches.</summary>
    internal static double ExportAndCompare(nn.Module<Tensor, Tensor> model, int[] sampleShape, string name, ITestOutputHelper log)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name + ".onnx");
        ModuleOnnxExporter.Export(model, sampleShape, path);
        using var session = OnnxTestHelpers.Session(path);
        double max = 0;
        var generator = new Generator(3);
        foreach (long batch in new long[] { 2, 5 })
        {
            using var scope = NewDisposeScope();
            Tensor x = randn([batch, .. sampleShape.Select(d => (long)d)], generator: generator);
            model.eval();
            Tensor expected;
            using (no_grad())
                expected = model.call(x);
            float[] data = x.contiguous().data<float>().ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(data, x.shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [ModuleOnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
            Tensor actual = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
            Assert.Equal(expected.shape, actual.shape);
            max = Math.Max(max, (expected - actual).abs().max().ToDouble());
        }

        log.WriteLine($"{name}: max |ONNX - TorchSharp| = {max:E2}");
        return max;
    }

    [Fact]
    public void AFixedOneDimensionalModelWithChoicesRunsTheSameInOnnxRuntime()
    {
        manual_seed(21);
        using Sequential model = SignalModel();
        RandomiseBatchNorms(model, 22);
        double max = ExportAndCompare(model, [1, 32], "signal");
        Assert.True(max < Tolerance, $"1-D model: max |ONNX - TorchSharp| = {max}");
    }

    [Fact]
    public void AFixedImageModelWithChoicesRunsTheSameInOnnxRuntime()
    {
        manual_seed(23);
        using Sequential model = ImageModel();
        RandomiseBatchNorms(model, 24);
        double max = ExportAndCompare(model, [3, 16, 16], "image");
        Assert.True(max < Tolerance, $"2-D model: max |ONNX - TorchSharp| = {max}");
    }

    [Theory]
    [InlineData("22212220")]
    [InlineData("01200102")]
    public void TheNasBenchMacroNetworkWithItsResidualBlocksRunsTheSameInOnnxRuntime(string architecture)
    {
        manual_seed(27);
        using var model = IstaNas.Spaces.Macro.MacroSpace.CreateNetwork(architecture);
        RandomiseBatchNorms(model, 28);
        double max = ExportAndCompare(model, [3, 32, 32], "macro-" + architecture);
        Assert.True(max < Tolerance, $"NAS-Bench-Macro {architecture}: max |ONNX - TorchSharp| = {max}");
    }

    [Theory]
    [InlineData("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|")]
    [InlineData("|avg_pool_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|")]
    public void TheNasBench201NetworkWithItsCellsAndResidualBlocksRunsTheSameInOnnxRuntime(string architecture)
    {
        manual_seed(29);
        using var model = IstaNas.Spaces.Nb201.Nb201Space.Network(IstaNas.Spaces.Nb201.Nb201Architecture.Parse(architecture), classes: 10, channels: 8, cellsPerStage: 2);
        RandomiseBatchNorms(model, 30);
        double max = ExportAndCompare(model, [3, 16, 16], "nb201");
        Assert.True(max < Tolerance, $"NAS-Bench-201 {architecture}: max |ONNX - TorchSharp| = {max}");
    }

    [Fact]
    public void ATabularModelRunsTheSameInOnnxRuntime()
    {
        manual_seed(25);
        using Sequential model = nn.Sequential(nn.Linear(5, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2));
        RandomiseBatchNorms(model, 26);
        double max = ExportAndCompare(model, [5], "tabular");
        Assert.True(max < Tolerance, $"tabular model: max |ONNX - TorchSharp| = {max}");
    }

    /// <summary>A block with a residual add, exported through the extension point as a built-in space's block would be.</summary>
    private sealed class Residual : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly Sequential body;

        public Residual(int channels)
            : base(nameof(Residual))
        {
            body = nn.Sequential(nn.Conv1d(channels, channels, 3, padding: 1, bias: false), nn.BatchNorm1d(channels), nn.ReLU());
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => input + body.call(input);

        public string WriteOnnx(ModuleGraphWriter writer, string input) =>
            writer.Builder.Node("Add", writer.Path(this) + ".add", [input, writer.Write(body, input)]);
    }

    [Fact]
    public void AModuleWithItsOwnMappingExportsThroughTheExtensionPoint()
    {
        manual_seed(27);
        Choice block = Choice.Of("block", 1, new Residual(8), nn.Identity());
        block.Fix([0]);
        using Sequential model = nn.Sequential(nn.Conv1d(1, 8, 3, padding: 1), block, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 2));
        RandomiseBatchNorms(model, 28);
        double max = ExportAndCompare(model, [1, 16], "residual");
        Assert.True(max < Tolerance, $"residual model: max |ONNX - TorchSharp| = {max}");
    }

    [Fact]
    public void UnfixedChoicesAndUnknownModulesAreRefusedNamingTheModule()
    {
        Choice open = Choice.Of("open", 1, nn.Identity(), nn.ReLU());
        using Sequential unfixed = nn.Sequential(("head", nn.Sequential(("gate", open))), ("flatten", nn.Flatten()));
        var e = Assert.Throws<NotSupportedException>(() => ModuleOnnxExporter.Build(unfixed, [4]));
        Assert.Contains("Choice 'open' ('head.gate') is not fixed", e.Message, StringComparison.Ordinal);

        using Sequential unknown = nn.Sequential(("body", nn.Sequential(nn.Linear(4, 4), nn.GELU())), ("out", nn.Linear(4, 2)));
        e = Assert.Throws<NotSupportedException>(() => ModuleOnnxExporter.Build(unknown, [4]));
        Assert.Contains("'body.1' (TorchSharp.Modules.GELU)", e.Message, StringComparison.Ordinal);
    }
}
