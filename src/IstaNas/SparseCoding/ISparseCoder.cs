using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>Solves a batch of LASSO problems min_z 1/2 ||A_i z - b_i||^2 + lambda ||z||_1 on tensors.</summary>
public interface ISparseCoder
{
    /// <summary>The options (lambda, tolerance, iteration limit, method) this coder solves with.</summary>
    SparseCoderOptions Options { get; }

    /// <summary>Solves every problem of the batch at once, on the device and in the dtype of the problem.</summary>
    /// <param name="problem">The batch (A, b, Lipschitz constants).</param>
    /// <param name="warmStart">Optional initial z [B, nMax] (e.g. the previous epoch's codes); padded entries are
    /// ignored. Same dtype and device as the problem. Not modified.</param>
    /// <returns>The codes and per-problem diagnostics; dispose it.</returns>
    SparseCodeResult Solve(SparseCodingProblem problem, Tensor? warmStart = null);
}
