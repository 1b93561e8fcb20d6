using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>ReLU, convolution without bias, batch normalisation (DARTS <c>ReLUConvBN</c>).</summary>
internal sealed class ReLUConvBN : Operation
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="stride">Convolution stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="affine">Whether the BN has learnable scale and shift.</param>
    public ReLUConvBN(long inChannels, long outChannels, long kernelSize, long stride, long padding, bool affine)
        : base(nameof(ReLUConvBN))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: false);
        bn = nn.BatchNorm2d(outChannels, affine: affine);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BatchNorm2d OutputBatchNorm => bn;

    /// <summary>The convolution, for the ONNX exporter.</summary>
    internal Conv2d Conv => conv;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope(); // intermediates die here, as in Python; autograd keeps what it needs
        return BatchNorms.Forward(bn, conv.forward(nn.functional.relu(input))).MoveToOuterDisposeScope();
    }
}
