using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>The DARTS <c>none</c> operation: zeros of the output shape (spatially subsampled on a stride-2 edge).</summary>
public sealed class Zero : Operation
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

    /// <inheritdoc />
    protected override Tensor Apply(Tensor input)
    {
        if (_stride == 1)
        {
            return input.mul(0.0);
        }

        var step = TensorIndex.Slice(null, null, _stride);
        return input[TensorIndex.Colon, TensorIndex.Colon, step, step].mul(0.0);
    }
}
