using IstaNas.Evaluation.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's reduction between stages, <c>ResNetBasicblock(C_prev, 2 C_prev, stride 2)</c> with affine BN and
/// running statistics (in the inference and in the search networks): <c>conv_a</c> (ReLUConvBN 3x3 stride 2),
/// <c>conv_b</c> (ReLUConvBN 3x3), plus the shortcut average pool 2x2 then 1x1 convolution without bias.
/// </summary>
internal sealed class Nb201ResNetBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Nb201ReLUConvBN conv_a;
    private readonly Nb201ReLUConvBN conv_b;
    private readonly AvgPool2d downsample_pool;
    private readonly Conv2d downsample_conv;

    public Nb201ResNetBlock(long inPlanes, long planes)
        : base("ResNetBasicblock")
    {
        conv_a = new Nb201ReLUConvBN(inPlanes, planes, 3, 2, 1, Nb201BatchNorm.Inference);
        conv_b = new Nb201ReLUConvBN(planes, planes, 3, 1, 1, Nb201BatchNorm.Inference);
        downsample_pool = nn.AvgPool2d(2, stride: 2, padding: 0);
        downsample_conv = nn.Conv2d(inPlanes, planes, 1, stride: 1, padding: 0L, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor basic = conv_b.forward(conv_a.forward(input));
        Tensor residual = downsample_conv.forward(downsample_pool.forward(input));
        return residual.add(basic).MoveToOuterDisposeScope();
    }

    /// <summary>ONNX: conv_b(conv_a(x)) plus the shortcut, a 1x1 convolution of the 2x2 average-pooled input.</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input)
    {
        string basic = writer.Write(conv_b, writer.Write(conv_a, input));
        string residual = writer.Write(downsample_conv, writer.Write(downsample_pool, input));
        return writer.Builder.Node("Add", writer.Path(this) + ".add", [residual, basic]);
    }
}
