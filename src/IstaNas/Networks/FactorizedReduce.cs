using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// Halves the spatial size with two offset 1 x 1 stride-2 convolutions whose outputs are concatenated, then BN
/// (DARTS <c>FactorizedReduce</c>). The skip connection on a stride-2 edge and the preprocessing after a reduction cell.
/// </summary>
internal sealed class FactorizedReduce : Operation
{
    private readonly Conv2d conv_1;
    private readonly Conv2d conv_2;
    private readonly BatchNorm2d bn;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels; must be even.</param>
    /// <param name="affine">Whether the BN has learnable scale and shift.</param>
    /// <exception cref="ArgumentException"><paramref name="outChannels"/> is odd or not positive.</exception>
    public FactorizedReduce(long inChannels, long outChannels, bool affine) : base(nameof(FactorizedReduce))
    {
        if (outChannels < 2 || outChannels % 2 != 0)
        {
            throw new ArgumentException($"FactorizedReduce needs an even positive number of output channels, got {outChannels}.", nameof(outChannels));
        }

        conv_1 = nn.Conv2d(inChannels, outChannels / 2, 1, stride: 2, bias: false);
        conv_2 = nn.Conv2d(inChannels, outChannels / 2, 1, stride: 2, bias: false);
        bn = nn.BatchNorm2d(outChannels, affine: affine);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BatchNorm2d OutputBatchNorm => bn;

    /// <summary>The convolution of the unshifted input (first half of the output channels), for the ONNX exporter.</summary>
    internal Conv2d Conv1 => conv_1;

    /// <summary>The convolution of the input shifted by one row and column (<c>x[:, :, 1:, 1:]</c>; second half), for the ONNX exporter.</summary>
    internal Conv2d Conv2 => conv_2;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope(); // intermediates die here, as in Python; autograd keeps what it needs
        var x = nn.functional.relu(input);
        var shifted = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(1), TensorIndex.Slice(1)];
        Tensor first = conv_1.forward(x), second = conv_2.forward(shifted);
        Tensor joined = torch.cat([first, second], 1);
        first.Dispose(); // cat saves neither input: free both halves before the BN allocates
        second.Dispose();
        return BatchNorms.Forward(bn, joined).MoveToOuterDisposeScope();
    }
}
