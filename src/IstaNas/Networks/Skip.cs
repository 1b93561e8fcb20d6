using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The skip connection on a stride-1 edge: the identity, optionally followed by a BN (the one-stage form, where
/// every candidate ends with a BN into which the architecture weight is absorbed).
/// </summary>
internal sealed class Skip : Operation
{
    private readonly BatchNorm2d? bn;

    /// <summary>Creates the plain identity.</summary>
    public Skip() : this(0, false, false)
    {
    }

    /// <summary>Creates the identity, optionally followed by a BN.</summary>
    /// <param name="channels">Channels of the appended BN (ignored without BN).</param>
    /// <param name="affine">Whether the appended BN has learnable scale and shift.</param>
    /// <param name="appendBatchNorm">Whether to append a BN.</param>
    public Skip(long channels, bool affine, bool appendBatchNorm) : base(nameof(Skip))
    {
        bn = appendBatchNorm ? nn.BatchNorm2d(channels, affine: affine) : null;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BatchNorm2d? OutputBatchNorm => bn;

    /// <summary>True without an appended BN: only the bare identity is exempt from drop path (DARTS' <c>isinstance(op, Identity)</c>).</summary>
    public override bool IsBareIdentity => bn is null;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => bn is null ? input.alias() : BatchNorms.Forward(bn, input);
}
