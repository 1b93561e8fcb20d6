using Google.Protobuf;
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

    private static EvaluationNetworkOptions Small(bool oneStage = false) => new()
    {
        Channels = 8,
        Layers = 5,
        Classes = 10,
        Auxiliary = true, // present in the module tree, never exported
        BatchNormAfterParameterFree = oneStage,
    };

    /// <summary>Exports, runs ONNX Runtime at two batch sizes and returns the larger max |difference|.</summary>
    private double ExportAndCompare(EvaluationNetwork network, string name, int height, int width, OnnxExportSettings? settings = null,
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
    [InlineData("ista_imagenet")]
    [InlineData("darts_v2")]
    public void TheImageNetNetworkRunsTheSameInOnnxRuntime(string genotype)
    {
        torch.manual_seed(13);
        using var network = new EvaluationNetwork(
            new EvaluationNetworkOptions { Layout = NetworkLayout.ImageNet, Channels = 8, Layers = 5, Classes = 10, Auxiliary = true }, Genotype.Known(genotype));
        OnnxTestHelpers.RandomiseBatchNorms(network, 14);
        double max = ExportAndCompare(network, genotype + "-imagenet", 64, 64);
        Assert.True(max < Tolerance, $"{genotype} (ImageNet layout): max |ONNX - TorchSharp| = {max}");
    }

    [Theory]
    [InlineData("ista_twostage")]
    [InlineData("ista_onestage")]
    [InlineData("ista_imagenet")]
    [InlineData("darts_v2")]
    public void KnownGenotypeRunsTheSameInOnnxRuntime(string genotype)
    {
        torch.manual_seed(11);
        using var network = new EvaluationNetwork(Small(), Genotype.Known(genotype));
        OnnxTestHelpers.RandomiseBatchNorms(network, 12);
        double max = ExportAndCompare(network, genotype, 32, 32);
        Assert.True(max < Tolerance, $"{genotype}: max |ONNX - TorchSharp| = {max}");
    }

    [Theory]
    [InlineData("ista_onestage")]
    [InlineData("darts_v2")]
    public void OneStageFormWithBatchNormAfterPoolsAndSkipsRunsTheSame(string genotype)
    {
        torch.manual_seed(13);
        using var network = new EvaluationNetwork(Small(oneStage: true), Genotype.Known(genotype));
        OnnxTestHelpers.RandomiseBatchNorms(network, 14);
        double max = ExportAndCompare(network, genotype + "-onestage", 32, 32);
        Assert.True(max < Tolerance, $"{genotype} (one-stage form): max |ONNX - TorchSharp| = {max}");

        // The BNs after pools and identity skips follow no convolution: they stay BatchNormalization nodes, one each.
        int parameterFreeWithBatchNorm = network.Cells.SelectMany(c => c.Operations)
            .Count(op => op is Pool or IstaNas.Networks.Skip && op.OutputBatchNorm is not null);
        Assert.True(parameterFreeWithBatchNorm > 0);
        Assert.Equal(parameterFreeWithBatchNorm, OnnxExporter.Build(network).Graph.Node.Count(n => n.OpType == "BatchNormalization"));
    }

    [Fact]
    public void OneStageSuperNetAfterBatchNormAbsorptionRunsTheSame()
    {
        torch.manual_seed(15);
        var options = new SuperNetOptions
        {
            Channels = 8,
            Layers = 5,
            Classes = 10,
            Affine = true,
            AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip,
            Auxiliary = true,
        };
        using var superNet = new SuperNet(options);
        // Node i has (i + 2) * 7 candidates: op index = c % 7 (max, avg, skip, sep3, sep5, dil3, dil5), predecessor = c / 7.
        superNet.SetArchitecture(CellType.Normal,
        [
            new NodeWeights([2, 7 + 3], torch.tensor(new float[] { 0.8f, -0.6f })),      // skip 0, sep3 1
            new NodeWeights([0, 14 + 5], torch.tensor(new float[] { 1.3f, 0.4f })),      // max 0, dil3 node0
            new NodeWeights([7 + 1, 21 + 2], torch.tensor(new float[] { -0.9f, 0.5f })), // avg 1, skip node1
            new NodeWeights([7 + 4, 28 + 6], torch.tensor(new float[] { 0.7f, 1.2f })),  // sep5 1, dil5 node2
        ]);
        superNet.SetArchitecture(CellType.Reduce,
        [
            new NodeWeights([2, 7 + 0], torch.tensor(new float[] { 0.7f, 1.1f })),       // skip 0 (FactorizedReduce), max 1
            new NodeWeights([1, 14 + 4], torch.tensor(new float[] { 0.3f, -1.2f })),     // avg 0, sep5 node0
            new NodeWeights([7 + 6, 14 + 2], torch.tensor(new float[] { 0.6f, 0.9f })),  // dil5 1, skip node0 (identity)
            new NodeWeights([7 + 1, 21 + 0], torch.tensor(new float[] { 1.4f, -0.5f })), // avg 1, max node1
        ]);
        OnnxTestHelpers.RandomiseBatchNorms(superNet, 16);
        superNet.eval();
        using var network = BatchNormAbsorption.Export(superNet);
        Assert.True(network.Options.BatchNormAfterParameterFree);

        double max = ExportAndCompare(network, "absorbed-supernet", 32, 32);
        Assert.True(max < Tolerance, $"absorbed one-stage super-net: max |ONNX - TorchSharp| = {max}");
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 32, 32);
        using (no_grad())
            Assert.True((superNet.forward(x) - network.forward(x)).abs().max().ToDouble() < 1e-4, "the absorbed network must compute the super-net's function");
    }

    [Fact]
    public void UnfoldedBatchNormsRunTheSameWithoutRuntimeOptimisations()
    {
        torch.manual_seed(17);
        using var network = new EvaluationNetwork(Small(oneStage: true), Genotype.IstaTwoStage);
        OnnxTestHelpers.RandomiseBatchNorms(network, 18);
        var settings = new OnnxExportSettings { FoldBatchNorm = false };
        // ONNX Runtime would fold Conv + BatchNormalization itself; without its optimisations our nodes run as written.
        double max = ExportAndCompare(network, "unfolded", 32, 32, settings, GraphOptimizationLevel.ORT_DISABLE_ALL);
        Assert.True(max < Tolerance, $"unfolded: max |ONNX - TorchSharp| = {max}");
        int batchNorms = network.named_modules().Count(m => m.module is TorchSharp.Modules.BatchNorm2d && !m.name.StartsWith("auxiliary", StringComparison.Ordinal));
        Assert.Equal(batchNorms, OnnxExporter.Build(network, settings).Graph.Node.Count(n => n.OpType == "BatchNormalization"));
    }

    [Fact]
    public void GreyImagesSevenClassesAndAFixedImageSize()
    {
        torch.manual_seed(19);
        using var network = new EvaluationNetwork(Small() with { InputChannels = 1, Classes = 7, Auxiliary = false }, Genotype.IstaTwoStage);
        OnnxTestHelpers.RandomiseBatchNorms(network, 20);
        var settings = new OnnxExportSettings { Height = 28, Width = 28 };
        double max = ExportAndCompare(network, "grey", 28, 28, settings);
        Assert.True(max < Tolerance, $"grey 28x28, 7 classes: max |ONNX - TorchSharp| = {max}");

        using var dir = new TempDirectory();
        OnnxExporter.Export(network, dir.File("grey.onnx"), settings);
        using var session = OnnxTestHelpers.Session(dir.File("grey.onnx"));
        NodeMetadata input = session.InputMetadata["images"];
        Assert.Equal(new[] { -1, 1, 28, 28 }, input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal(new[] { -1, 7 }, session.OutputMetadata["logits"].Dimensions);
    }

    [Fact]
    public void ZeroOperationsAndACustomConcatListRunTheSame()
    {
        torch.manual_seed(21);
        var normal = new CellTopology([(Operations.None, 0), (Operations.SepConv3x3, 1), (Operations.None, 2), (Operations.SkipConnect, 0)], [1, 2, 3]);
        var reduce = new CellTopology([(Operations.None, 0), (Operations.MaxPool3x3, 1), (Operations.AvgPool3x3, 2), (Operations.None, 1)], [2, 3]);
        using var network = new EvaluationNetwork(Small() with { Auxiliary = false }, normal, reduce);
        OnnxTestHelpers.RandomiseBatchNorms(network, 22);
        double max = ExportAndCompare(network, "zero", 16, 16);
        Assert.True(max < Tolerance, $"none edges: max |ONNX - TorchSharp| = {max}");
        Assert.Contains(OnnxExporter.Build(network).Graph.Node, n => n.OpType == "ConstantOfShape");
    }

    [Fact]
    public void GraphUsesStandardOperatorsReadableNamesAndNoAuxiliaryHead()
    {
        torch.manual_seed(23);
        using var network = new EvaluationNetwork(Small(), Genotype.IstaTwoStage);
        ModelProto model = OnnxExporter.Build(network);
        Assert.Equal(7, model.IrVersion);
        Assert.Equal(13, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("", model.OpsetImport[0].Domain);
        GraphProto graph = model.Graph;
        Assert.Equal("images", Assert.Single(graph.Input).Name);
        Assert.Equal("logits", Assert.Single(graph.Output).Name);
        Assert.Equal(["batch", "", "height", "width"], graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        Assert.Equal(3, graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(10, graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);

        string[] allowed = ["Conv", "BatchNormalization", "Relu", "MaxPool", "AveragePool", "Concat", "Add", "Slice", "GlobalAveragePool", "Flatten", "Gemm"];
        Assert.All(graph.Node, n => Assert.Contains(n.OpType, allowed));
        Assert.DoesNotContain(graph.Node, n => n.OpType == "BatchNormalization"); // every BN of the two-stage form follows a convolution
        Assert.All(graph.Node.Where(n => n.OpType == "AveragePool"), n => Assert.Equal(0, n.Attribute.Single(a => a.Name == "count_include_pad").I));
        Assert.Equal(["stem.0", "cells.0.preprocess0.relu", "cells.0.preprocess0.conv"], graph.Node.Take(3).Select(n => n.Name));
        Assert.Equal("BatchNorm2d 'stem.1' folded in", graph.Initializer.First(t => t.Name == "stem.0.bias").DocString.Split(" with ")[1].TrimEnd('.'));
        Assert.Equal("classifier", graph.Node[^1].Name);
        Assert.Contains(graph.Initializer, t => t.Name == "cells.2.preprocess0.conv_1.weight");
        Assert.Contains(graph.Initializer, t => t.Name == "classifier.weight");
        Assert.DoesNotContain(graph.Initializer, t => t.Name.Contains("auxiliary", StringComparison.Ordinal));
        Assert.Equal(graph.Initializer.Count, graph.Initializer.Select(t => t.Name).Distinct().Count());
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct().Count());

        // One Conv per convolution of the network outside the auxiliary head; float32 initializers as raw bytes.
        int convolutions = network.named_modules().Count(m => m.module is TorchSharp.Modules.Conv2d && !m.name.StartsWith("auxiliary", StringComparison.Ordinal));
        Assert.Equal(convolutions, graph.Node.Count(n => n.OpType == "Conv"));
        Assert.All(graph.Initializer.Where(t => t.DataType == 1), t => Assert.Equal(4 * t.Dims.Aggregate(1L, (a, d) => a * d), t.RawData.Length));
    }

    [Fact]
    public void TheComparisonNoticesADroppedBatchNorm()
    {
        // Guards the guard: the same model with one BN after a pool bypassed must fail the comparison.
        torch.manual_seed(25);
        using var network = new EvaluationNetwork(Small(oneStage: true), Genotype.DartsV2);
        OnnxTestHelpers.RandomiseBatchNorms(network, 26);
        ModelProto model = OnnxExporter.Build(network);
        using var scope = NewDisposeScope();
        var x = randn(3, 3, 32, 32);
        using (var intact = OnnxTestHelpers.Session(model.ToByteArray()))
            Assert.True(OnnxTestHelpers.MaxDifference(network, intact, x) < Tolerance);

        NodeProto bn = model.Graph.Node.First(n => n.OpType == "BatchNormalization");
        model.Graph.Node.Remove(bn);
        foreach (NodeProto n in model.Graph.Node)
        {
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == bn.Output[0]) n.Input[i] = bn.Input[0];
        }

        using var broken = OnnxTestHelpers.Session(model.ToByteArray());
        double max = OnnxTestHelpers.MaxDifference(network, broken, x);
        log.WriteLine($"without '{bn.Name}': max |ONNX - TorchSharp| = {max:E2}");
        Assert.True(max > 100 * Tolerance, $"bypassing '{bn.Name}' changed the logits by only {max}");
    }
}
