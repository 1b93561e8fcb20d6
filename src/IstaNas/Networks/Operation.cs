using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// Base class of the candidate operations of the DARTS cell space (the modules of DARTS' <c>operations.py</c>).
/// Every call of <see cref="forward"/> is counted, so that callers can check which candidates ran.
/// </summary>
public abstract class Operation : nn.Module<Tensor, Tensor>
{
    private long _invocations;

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

    /// <summary>How many times <see cref="forward"/> has run since construction or the last <see cref="ResetInvocations"/>.</summary>
    public long Invocations => Interlocked.Read(ref _invocations);

    /// <summary>Sets <see cref="Invocations"/> back to zero.</summary>
    public void ResetInvocations() => Interlocked.Exchange(ref _invocations, 0);

    /// <summary>Applies the operation to a 4-D input <c>[batch, channels, height, width]</c>.</summary>
    /// <param name="input">The input feature map.</param>
    /// <returns>The output feature map; the caller's dispose scope owns it and the intermediate tensors.</returns>
    public sealed override Tensor forward(Tensor input)
    {
        Interlocked.Increment(ref _invocations);
        return Apply(input);
    }

    /// <summary>The computation of the operation, called by <see cref="forward"/>.</summary>
    /// <param name="input">The input feature map.</param>
    /// <returns>The output feature map.</returns>
    protected abstract Tensor Apply(Tensor input);
}
