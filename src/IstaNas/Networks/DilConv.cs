using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>ReLU, dilated depthwise convolution, pointwise convolution, BN (DARTS <c>DilConv</c>).</summary>
internal sealed class DilConv : Operation
{
    private readonly Conv2d depthwise;
    private readonly Conv2d pointwise;
    private readonly BatchNorm2d bn;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels (and depthwise groups).</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size of the depthwise convolution.</param>
    /// <param name="stride">Stride of the depthwise convolution.</param>
    /// <param name="padding">Zero padding of the depthwise convolution.</param>
    /// <param name="dilation">Dilation of the depthwise convolution.</param>
    /// <param name="affine">Whether the BN has learnable scale and shift.</param>
    public DilConv(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation, bool affine)
        : base(nameof(DilConv))
    {
        depthwise = nn.Conv2d(inChannels, inChannels, kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: inChannels, bias: false);
        pointwise = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        bn = nn.BatchNorm2d(outChannels, affine: affine);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BatchNorm2d OutputBatchNorm => bn;

    /// <summary>The dilated depthwise convolution, for the ONNX exporter.</summary>
    internal Conv2d Depthwise => depthwise;

    /// <summary>The pointwise convolution, for the ONNX exporter.</summary>
    internal Conv2d Pointwise => pointwise;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope(); // intermediates die here, as in Python; autograd keeps what it needs
        return BatchNorms.Forward(bn, pointwise.forward(depthwise.forward(nn.functional.relu(input)))).MoveToOuterDisposeScope();
    }
}
