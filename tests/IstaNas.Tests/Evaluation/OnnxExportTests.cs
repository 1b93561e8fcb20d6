using IstaNas.Architecture;
using IstaNas.Evaluation.Onnx;
using IstaNas.Networks;
using IstaNas.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

public class OnnxExportTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-4;

    private static EvalNetworkOptions Small(bool oneStage = false) => new()
    {
        Channels = 8,
        Layers = 5,
        Classes = 10,
        Auxiliary = true, // present in the module tree, never exported
        BatchNormAfterParameterFree = oneStage,
    };

    /// <summary>Exports, runs ONNX Runtime at two batch sizes and returns the larger max |difference|.</summary>
    private double ExportAndCompare(EvalNetwork network, string name, int height, int width, OnnxExportSettings? settings = null,
        GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name + ".onnx");
        OnnxExporter.Export(network, path, settings);
        using var session = OnnxTestHelpers.Session(path, level);
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        int channels = network.Options.InputChannels;
        double first = OnnxTestHelpers.MaxDifference(network, session, randn([3, channels, height, width], generator: generator));
        double second = OnnxTestHelpers.MaxDifference(network, session, randn([5, channels, height, width], generator: generator));
        double max = Math.Max(first, second);
        log.WriteLine($"{name}: max |ONNX - TorchSharp| = {max:E2} (batch 3: {first:E2}, batch 5: {second:E2})");
        return max;
    }

    [Theory]
    [InlineData("ista_twostage")]
    [InlineData("ista_onestage")]
    [InlineData("ista_imagenet")]
    [InlineData("darts_v2")]
    public void KnownGenotypeRunsTheSameInOnnxRuntime(string genotype)
    {
        torch.manual_seed(11);
        using var network = new EvalNetwork(Small(), KnownGenotypes.Get(genotype));
        OnnxTestHelpers.RandomiseBatchNorms(network, 12);
        double max = ExportAndCompare(network, genotype, 32, 32);
        Assert.True(max < Tolerance, $"{genotype}: max |ONNX - TorchSharp| = {max}");
    }
}
