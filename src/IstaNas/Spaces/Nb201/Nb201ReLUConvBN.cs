using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using IstaNas.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's <c>ReLUConvBN</c> (<c>xautodl/models/cell_operations.py</c>): ReLU, a convolution with a bias exactly
/// when the BN is not affine (<c>bias=not affine</c>), then BN with the given affine and running-statistics settings.
/// Without BN (the zero-cost proxies' BN-free copy) the convolution keeps that bias rule.
/// </summary>
internal sealed class Nb201ReLUConvBN : nn.Module<Tensor, Tensor>, IOnnxExportable, IEndsInBatchNorm
{
    private readonly ReLU relu;
    private readonly Conv2d conv;
    private readonly BatchNorm2d? bn;

    public Nb201ReLUConvBN(long inChannels, long outChannels, long kernelSize, long stride, long padding, Nb201BatchNorm norm)
        : base("ReLUConvBN")
    {
        relu = nn.ReLU();
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: !norm.Affine);
        if (norm.Enabled) bn = nn.BatchNorm2d(outChannels, affine: norm.Affine, track_running_stats: norm.TrackRunningStats);
        RegisterComponents();
    }

    /// <summary>The BN after the convolution (null in the BN-free copy).</summary>
    public BatchNorm? FinalBatchNorm => bn;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor output = conv.forward(relu.call(input));
        if (bn is not null) output = BatchNorms.Forward(bn, output);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>ONNX: ReLU, the convolution, then the BN (evaluation mode: running statistics).</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input)
    {
        string x = writer.Write(conv, writer.Write(relu, input));
        return bn is null ? x : writer.Write(bn, x);
    }
}
