using IstaNas.Evaluation.Onnx;
using IstaNas.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's macro structure (<c>TinyNetwork</c> / <c>TinyNetworkDarts</c>): stem 3x3 convolution (no bias) + BN to
/// C channels, N cells at C, a residual reduction to 2C, N cells, a reduction to 4C, N cells, then BN + ReLU
/// (<c>lastact</c>), global average pooling and a linear classifier. Returns the logits (the reference also returns the
/// pooled features).
/// </summary>
internal sealed class Nb201Network : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Conv2d stem_conv;
    private readonly BatchNorm2d? stem_bn;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> cells;
    private readonly BatchNorm2d? lastact_bn;
    private readonly ReLU lastact_relu;
    private readonly Linear classifier;

    /// <param name="channels">C.</param>
    /// <param name="cellsPerStage">N.</param>
    /// <param name="classes">Outputs of the classifier.</param>
    /// <param name="cell">Makes a cell of the given channels.</param>
    /// <param name="batchNorm">False for the zero-cost proxies' copy: no BN in the stem and lastact (the reductions keep theirs).</param>
    public Nb201Network(int channels, int cellsPerStage, int classes, Func<long, nn.Module<Tensor, Tensor>> cell, bool batchNorm)
        : base("TinyNetwork")
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "The network needs at least 1 initial channel (the benchmark uses C = 16).");
        if (cellsPerStage < 1) throw new ArgumentOutOfRangeException(nameof(cellsPerStage), cellsPerStage, "Each stage needs at least 1 cell (the benchmark uses N = 5).");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "The classifier needs at least 1 class.");
        stem_conv = nn.Conv2d(3, channels, 3, padding: 1, bias: false);
        if (batchNorm) stem_bn = nn.BatchNorm2d(channels);
        var list = new List<nn.Module<Tensor, Tensor>>();
        long c = channels;
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                list.Add(new Nb201ResNetBlock(c, c * 2));
                c *= 2;
            }

            for (int i = 0; i < cellsPerStage; i++) list.Add(cell(c));
        }

        cells = nn.ModuleList([.. list]);
        if (batchNorm) lastact_bn = nn.BatchNorm2d(c);
        lastact_relu = nn.ReLU();
        classifier = nn.Linear(c, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor feature = stem_conv.forward(input);
        if (stem_bn is not null) feature = BatchNorms.Forward(stem_bn, feature);
        foreach (var cell in cells) feature = cell.call(feature);
        if (lastact_bn is not null) feature = BatchNorms.Forward(lastact_bn, feature);
        Tensor pooled = nn.functional.adaptive_avg_pool2d(lastact_relu.call(feature), [1, 1]).flatten(1);
        return classifier.forward(pooled).MoveToOuterDisposeScope();
    }

    /// <summary>ONNX: stem, cells, lastact, global average pooling, flatten and the classifier.</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input)
    {
        string x = writer.Write(stem_conv, input);
        if (stem_bn is not null) x = writer.Write(stem_bn, x);
        foreach (var cell in cells) x = writer.Write(cell, x);
        if (lastact_bn is not null) x = writer.Write(lastact_bn, x);
        x = writer.Write(lastact_relu, x);
        x = writer.Builder.Node("GlobalAveragePool", "global_pooling", [x]);
        x = writer.Builder.Node("Flatten", "flatten", [x], OnnxGraphBuilder.Int("axis", 1));
        return writer.Write(classifier, x);
    }
}
