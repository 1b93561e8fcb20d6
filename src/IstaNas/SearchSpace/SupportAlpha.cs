using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The support of a decision and its architecture weights alpha on it (the differentiable step of ISTA-NAS). The support
/// S is the s candidates with the largest |z| (<see cref="Support"/>); with S fixed, alpha is one gradient step of the
/// least-squares term from the thresholded code z, restricted to S:
/// <code>alpha_S = A_S^T b + (z_S - A_S^T A_S z_S)      (alpha_j = z_j + a_j^T (b - A z) for j in S, 0 elsewhere)</code>
/// (the authors write it <c>A_S^T b - (A_S^T A_S - I) z_S</c>). z is a constant here, so alpha is linear in b and
/// <c>d alpha_S / d b = A_S^T</c>: the first-order gradient of the validation loss reaches b through the s candidates
/// that run. This type holds the two constant parts, A_S^T (s x m) and z_S - A_S^T A_S z_S (length s), computed once
/// per support; <see cref="Weights"/> applies them to b.
/// </summary>
internal sealed class SupportAlpha : IDisposable
{
    private readonly Tensor _asT;
    private readonly Tensor _offset;

    /// <summary>Computes A_S^T and z_S - A_S^T A_S z_S of a decision (no gradient; the tensors are owned by this object).</summary>
    /// <param name="a">A, m x K, in the space's dtype.</param>
    /// <param name="z">The recovered code z, length K (float64).</param>
    /// <param name="support">S, ascending candidate indices.</param>
    public SupportAlpha(Tensor a, Tensor z, IReadOnlyList<int> support)
    {
        using (NewDisposeScope())
        using (no_grad())
        {
            using Tensor idx = tensor(support.Select(i => (long)i).ToArray(), dtype: int64, device: a.device);
            Tensor aS = a.index_select(1, idx);              // m x s
            Tensor zS = z.index_select(0, idx).to(a.dtype);  // s
            _asT = aS.t().contiguous().DetachFromDisposeScope();
            _offset = (zS - aS.t().matmul(aS.matmul(zS))).DetachFromDisposeScope();
        }
    }

    /// <summary>The support: indices of the <paramref name="s"/> largest |z|, ascending (ties go to the lower index).</summary>
    /// <param name="z">The code.</param>
    /// <param name="s">How many candidates the decision keeps.</param>
    /// <returns>S, ascending.</returns>
    public static int[] Support(double[] z, int s) =>
        [.. Enumerable.Range(0, z.Length).OrderByDescending(j => Math.Abs(z[j])).ThenBy(j => j).Take(s).Order()];

    /// <summary><c>alpha_S = A_S^T b + (z_S - A_S^T A_S z_S)</c>: a new tensor, differentiable in <paramref name="b"/>.</summary>
    /// <param name="b">The latent vector b (length m), or its detached value for a constant alpha.</param>
    /// <returns>alpha on the support, length s.</returns>
    public Tensor Weights(Tensor b) => _asT.matmul(b).add_(_offset);

    /// <inheritdoc />
    public void Dispose()
    {
        _asT.Dispose();
        _offset.Dispose();
    }
}
