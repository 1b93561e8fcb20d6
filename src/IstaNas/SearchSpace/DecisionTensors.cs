using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The tensors of one decision of a <see cref="CompressedSearchSpace"/>: A (fixed), b (the parameter), z (the current
/// code), its support, whether it is frozen, and the cached <see cref="SupportAlpha"/> that depends on z and the support.
/// </summary>
internal sealed class DecisionTensors(Tensor a, TorchSharp.Modules.Parameter b, Tensor z) : IDisposable
{
    private SupportAlpha? _alpha;

    public Tensor A { get; } = a;

    public TorchSharp.Modules.Parameter B { get; } = b;

    public Tensor Z { get; } = z;

    public int[] Support { get; private set; } = [];

    public bool Frozen { get; set; }

    /// <summary>alpha of a frozen decision, a constant.</summary>
    public Tensor? FrozenAlpha { get; private set; }

    public double[] ZHost() => Z.cpu().data<double>().ToArray();

    /// <summary>alpha on the support: constant when frozen, differentiable in b otherwise (a new tensor).</summary>
    public Tensor Alpha() => Frozen ? FrozenAlpha!.clone() : _alpha!.Weights(B);

    public void SetSupport(int[] support)
    {
        Support = support;
        RefreshWeights();
    }

    public void RefreshWeights()
    {
        _alpha?.Dispose();
        FrozenAlpha?.Dispose();
        FrozenAlpha = null;
        _alpha = new SupportAlpha(A, Z, Support);
        if (!Frozen) return;
        using (NewDisposeScope())
        using (no_grad())
            FrozenAlpha = _alpha.Weights(B.detach()).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        Z.Dispose();
        _alpha?.Dispose();
        FrozenAlpha?.Dispose();
    }
}
