using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// Base class of the candidate operations of the DARTS cell space (the modules of DARTS' <c>operations.py</c>).
/// </summary>
internal abstract class Operation : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the operation with the given module name.</summary>
    /// <param name="name">The module name (the class name, as in TorchSharp's own modules).</param>
    protected Operation(string name) : base(name)
    {
    }

    /// <summary>
    /// The batch normalisation that produces the operation's output, or <c>null</c> when the operation does not end
    /// with one (parameter-free operations without an appended BN, and <see cref="Zero"/>). The one-stage search
    /// absorbs the architecture weight into this BN.
    /// </summary>
    public abstract BatchNorm2d? OutputBatchNorm { get; }

    /// <summary>
    /// True for the bare identity skip connection (stride 1, no appended BN), the one operation drop path leaves alone,
    /// as DARTS' <c>if not isinstance(op, Identity)</c> does. An identity followed by a BN (the one-stage form) is not
    /// bare and gets drop path, as in the authors' one-stage networks.
    /// </summary>
    public virtual bool IsBareIdentity => false;
}
