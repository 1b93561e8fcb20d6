using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// Gradient-norm clipping that stays on the device: the same result as <c>nn.utils.clip_grad_norm_</c> (total 2-norm,
/// scale <c>min(1, max / (norm + 1e-6))</c>) without reading the norm back to the host, so a GPU step needs no sync.
/// </summary>
internal static class GradientClipping
{
    /// <summary>Scales the gradients of <paramref name="parameters"/> in place; returns the total norm as a 0-d tensor (caller disposes).</summary>
    public static Tensor ClipGradNorm(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grads = new List<Tensor>(parameters.Count);
        foreach (var p in parameters)
        {
            Tensor? g = p.grad;
            if (g is not null) grads.Add(g);
        }
        if (grads.Count == 0) return zeros(1).squeeze().MoveToOuterDisposeScope();
        Tensor norms = stack(grads.Select(g => linalg.vector_norm(g)).ToArray());
        Tensor total = linalg.vector_norm(norms);
        Tensor coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        foreach (Tensor g in grads) g.mul_(coefficient);
        return total.MoveToOuterDisposeScope();
    }
}
