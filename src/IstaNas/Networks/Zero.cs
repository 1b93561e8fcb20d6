using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>The DARTS <c>none</c> operation: zeros of the output shape (spatially subsampled on a stride-2 edge).</summary>
internal sealed class Zero : Operation
{
    private readonly long _stride;

    /// <summary>Creates the operation.</summary>
    /// <param name="stride">1, or 2 on an edge of a reduction cell from a cell input.</param>
    public Zero(long stride) : base(nameof(Zero))
    {
        if (stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be positive.");
        }

        _stride = stride;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BatchNorm2d? OutputBatchNorm => null;

    /// <summary>The spatial subsampling of the output (1 or 2), for the ONNX exporter.</summary>
    internal long Stride => _stride;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // Zeros of the output shape, outside the autograd graph: DARTS' x.mul(0.) gives the same values and the same
        // gradients (zero for the input; zero for the edge weight, which multiplies zeros), but runs a multiplication
        // forward and backward on every none candidate of every edge.
        long[] shape = input.shape;
        if (_stride != 1)
        {
            shape = [shape[0], shape[1], (shape[2] + _stride - 1) / _stride, (shape[3] + _stride - 1) / _stride];
        }

        return torch.zeros(shape, dtype: input.dtype, device: input.device);
    }
}
