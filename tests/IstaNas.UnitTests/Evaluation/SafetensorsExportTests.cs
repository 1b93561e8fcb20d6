using IstaNas.Architecture;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

/// <summary>Safetensors export under the parameter names of DARTS' cnn/model.py (quark0/darts).</summary>
public class SafetensorsExportTests
{
    /// <summary>Every op kind, and skips on the reduction cell's inputs (FactorizedReduce) and on a node (Identity).</summary>
    private static readonly Genotype AllOps = Genotype.ParseDarts(
        "Genotype(normal=[('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_5x5', 2), ('avg_pool_3x3', 1), " +
        "('dil_conv_5x5', 3), ('max_pool_3x3', 0), ('skip_connect', 4)], normal_concat=[2, 3, 4, 5], " +
        "reduce=[('skip_connect', 0), ('sep_conv_3x3', 1), ('max_pool_3x3', 0), ('dil_conv_5x5', 2), ('skip_connect', 1), " +
        "('avg_pool_3x3', 3), ('sep_conv_5x5', 0), ('skip_connect', 2)], reduce_concat=[2, 3, 4, 5])");

    /// <summary>
    /// The (name, shape) list of <c>state_dict()</c> of DARTS' NetworkCIFAR / NetworkImageNet, written from cnn/model.py and
    /// cnn/operations.py: modules in registration order, a module's parameters before its buffers.
    /// </summary>
    private static List<(string Name, long[] Shape)> DartsStateDict(Genotype genotype, int c, int layers, int classes, bool auxiliary, bool imageNet)
    {
        var names = new List<(string, long[])>();
        void Conv(string p, long output, long input, long k) => names.Add(($"{p}.weight", [output, input, k, k]));
        void Bn(string p, long channels)
        {
            names.Add(($"{p}.weight", [channels]));
            names.Add(($"{p}.bias", [channels]));
            names.Add(($"{p}.running_mean", [channels]));
            names.Add(($"{p}.running_var", [channels]));
            names.Add(($"{p}.num_batches_tracked", []));
        }

        void ReluConvBn(string p, long input, long output)
        {
            Conv($"{p}.op.1", output, input, 1);
            Bn($"{p}.op.2", output);
        }

        void FactorizedReduce(string p, long input, long output)
        {
            Conv($"{p}.conv_1", output / 2, input, 1);
            Conv($"{p}.conv_2", output / 2, input, 1);
            Bn($"{p}.bn", output);
        }

        long prevPrev, prev, current = c;
        bool reductionPrev;
        if (imageNet)
        {
            Conv("stem0.0", c / 2, 3, 3);
            Bn("stem0.1", c / 2);
            Conv("stem0.3", c, c / 2, 3);
            Bn("stem0.4", c);
            Conv("stem1.1", c, c, 3);
            Bn("stem1.2", c);
            (prevPrev, prev, reductionPrev) = (c, c, true);
        }
        else
        {
            Conv("stem.0", 3 * c, 3, 3);
            Bn("stem.1", 3 * c);
            (prevPrev, prev, reductionPrev) = (3 * c, 3 * c, false);
        }

        long toAuxiliary = 0;
        for (int i = 0; i < layers; i++)
        {
            bool reduction = i == layers / 3 || i == 2 * layers / 3;
            if (reduction) current *= 2;
            string cell = $"cells.{i}";
            if (reductionPrev) FactorizedReduce($"{cell}.preprocess0", prevPrev, current);
            else ReluConvBn($"{cell}.preprocess0", prevPrev, current);
            ReluConvBn($"{cell}.preprocess1", prev, current);
            var edges = genotype.Cell(reduction ? CellType.Reduce : CellType.Normal);
            for (int j = 0; j < edges.Count; j++)
            {
                string p = $"{cell}._ops.{j}";
                int stride = reduction && edges[j].Input < 2 ? 2 : 1;
                switch (edges[j].Operation)
                {
                    case "sep_conv_3x3" or "sep_conv_5x5":
                        long k = edges[j].Operation == "sep_conv_3x3" ? 3 : 5;
                        names.Add(($"{p}.op.1.weight", [current, 1, k, k]));
                        Conv($"{p}.op.2", current, current, 1);
                        Bn($"{p}.op.3", current);
                        names.Add(($"{p}.op.5.weight", [current, 1, k, k]));
                        Conv($"{p}.op.6", current, current, 1);
                        Bn($"{p}.op.7", current);
                        break;
                    case "dil_conv_3x3" or "dil_conv_5x5":
                        long d = edges[j].Operation == "dil_conv_3x3" ? 3 : 5;
                        names.Add(($"{p}.op.1.weight", [current, 1, d, d]));
                        Conv($"{p}.op.2", current, current, 1);
                        Bn($"{p}.op.3", current);
                        break;
                    case "skip_connect" when stride == 2:
                        FactorizedReduce(p, current, current);
                        break;
                }
            }

            reductionPrev = reduction;
            (prevPrev, prev) = (prev, genotype.Concat(reduction ? CellType.Reduce : CellType.Normal).Count * current);
            if (i == 2 * layers / 3) toAuxiliary = prev;
        }

        if (auxiliary)
        {
            Conv("auxiliary_head.features.2", 128, toAuxiliary, 1);
            Bn("auxiliary_head.features.3", 128);
            Conv("auxiliary_head.features.5", 768, 128, 2);
            if (!imageNet) Bn("auxiliary_head.features.6", 768);
            names.Add(("auxiliary_head.classifier.weight", [classes, 768]));
            names.Add(("auxiliary_head.classifier.bias", [classes]));
        }

        names.Add(("classifier.weight", [classes, prev]));
        names.Add(("classifier.bias", [classes]));
        return names;
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void TheFileHoldsDartsNamesShapesAndTheNetworksTensors(bool imageNet, bool auxiliary)
    {
        torch.manual_seed(5);
        var options = new EvaluationNetworkOptions
        {
            Channels = 8, Layers = 5, Classes = 7, Auxiliary = auxiliary, Layout = imageNet ? NetworkLayout.ImageNet : NetworkLayout.Cifar,
        };
        using var trained = new TrainedNetwork(new EvaluationNetwork(options, AllOps), AllOps);
        OnnxTestHelpers.RandomiseBatchNorms(trained.Network, 6);
        using (no_grad())
        {
            // Distinct counters, so that a BN's num_batches_tracked cannot be taken for another's.
            int n = 1;
            foreach (var (_, module) in trained.Network.named_modules())
                if (module is TorchSharp.Modules.BatchNorm2d bn) bn.num_batches_tracked!.fill_(n++);
        }

        using var dir = new TempDirectory();
        string path = dir.File("sub/model.safetensors");
        trained.ExportSafetensors(path);
        var (metadata, tensors) = SafetensorsReader.Read(path);

        var expected = DartsStateDict(AllOps, 8, 5, 7, auxiliary, imageNet);
        Assert.Equal(expected.Select(e => $"{e.Name} [{string.Join(", ", e.Shape)}]"), tensors.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"));
        Assert.All(tensors, t => Assert.Equal(t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) ? "I64" : "F32", t.DType));

        // Every tensor of the network is in the file exactly once, bit for bit (the BN statistics and counters included).
        var state = trained.Network.state_dict();
        Assert.Equal(state.Count, tensors.Count);
        var fileTensors = tensors.Select(t => Convert.ToHexString(t.Data) + string.Join(",", t.Shape)).ToList();
        foreach (var (name, tensor) in state)
        {
            string key = Convert.ToHexString(tensor.cpu().contiguous().bytes) + string.Join(",", tensor.shape);
            Assert.True(fileTensors.Remove(key), $"IstaNas' {name} is not in the file.");
        }

        // A few anchors by module: the stem convolution, the classifier, the first cell's first sep conv.
        var stem = (TorchSharp.Modules.Conv2d)trained.Network.StemModules[0].children().First();
        Assert.Equal(stem.weight!.bytes.ToArray(), tensors.Single(t => t.Name == (imageNet ? "stem0.0.weight" : "stem.0.weight")).Data);
        Assert.Equal(trained.Network.Classifier.weight!.bytes.ToArray(), tensors.Single(t => t.Name == "classifier.weight").Data);
        var sep = (SepConv)trained.Network.Cells[0].Operations[0];
        Assert.Equal(sep.Stages[1].Pointwise.weight!.bytes.ToArray(), tensors.Single(t => t.Name == "cells.0._ops.0.op.6.weight").Data);

        Assert.Equal(imageNet ? "NetworkImageNet" : "NetworkCIFAR", metadata["darts_model"]);
        Assert.Equal(AllOps.ToDartsString(), metadata["genotype"]);
        Assert.Equal(("8", "5", "7", auxiliary ? "True" : "False"), (metadata["C"], metadata["layers"], metadata["num_classes"], metadata["auxiliary"]));
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void TheOneStageFormHasNoDartsNamesAndSaysSo()
    {
        var options = new EvaluationNetworkOptions { Channels = 8, Layers = 5, Classes = 10, BatchNormAfterParameterFree = true };
        using var trained = new TrainedNetwork(new EvaluationNetwork(options, AllOps), AllOps);
        using var dir = new TempDirectory();
        var e = Assert.Throws<NotSupportedException>(() => trained.ExportSafetensors(dir.File("model.safetensors")));
        Assert.Contains("batch norms after its pools and skips", e.Message);
        Assert.False(File.Exists(dir.File("model.safetensors")));
    }
}
