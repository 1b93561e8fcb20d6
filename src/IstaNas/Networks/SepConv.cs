using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// Separable convolution applied twice: (ReLU, depthwise k x k, pointwise 1 x 1, BN) with the given stride, then the
/// same with stride 1 (DARTS <c>SepConv</c>).
/// </summary>
internal sealed class SepConv : Operation
{
    private readonly Conv2d depthwise1;
    private readonly Conv2d pointwise1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d depthwise2;
    private readonly Conv2d pointwise2;
    private readonly BatchNorm2d bn2;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size of the depthwise convolutions.</param>
    /// <param name="stride">Stride of the first depthwise convolution.</param>
    /// <param name="padding">Zero padding of the depthwise convolutions.</param>
    /// <param name="affine">Whether the BNs have learnable scale and shift.</param>
    public SepConv(long inChannels, long outChannels, long kernelSize, long stride, long padding, bool affine)
        : base(nameof(SepConv))
    {
        depthwise1 = nn.Conv2d(inChannels, inChannels, kernelSize, stride: stride, padding: padding, groups: inChannels, bias: false);
        pointwise1 = nn.Conv2d(inChannels, inChannels, 1, bias: false);
        bn1 = nn.BatchNorm2d(inChannels, affine: affine);
        depthwise2 = nn.Conv2d(inChannels, inChannels, kernelSize, stride: 1, padding: padding, groups: inChannels, bias: false);
        pointwise2 = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels, affine: affine);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BatchNorm2d OutputBatchNorm => bn2;

    /// <summary>The two (ReLU,) depthwise, pointwise, BN stages in order, for the ONNX exporter.</summary>
    internal (Conv2d Depthwise, Conv2d Pointwise, BatchNorm2d BatchNorm)[] Stages => [(depthwise1, pointwise1, bn1), (depthwise2, pointwise2, bn2)];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // Intermediates die with this scope, as Python frees them; autograd keeps what backward needs.
        using var scope = NewDisposeScope();
        var x = BatchNorms.Forward(bn1, pointwise1.forward(depthwise1.forward(nn.functional.relu(input))));
        var activated = nn.functional.relu(x);
        x.Dispose(); // the first BN's output is not saved for backward (ReLU saves its result): free it before the next allocations
        return BatchNorms.Forward(bn2, pointwise2.forward(depthwise2.forward(activated))).MoveToOuterDisposeScope();
    }
}
