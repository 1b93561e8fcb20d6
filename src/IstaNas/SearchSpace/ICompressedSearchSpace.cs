using IstaNas.Architecture;
using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The compressed search space of ISTA-NAS over decisions: per <see cref="Decision"/> (keep s of K candidates) a fixed
/// measurement matrix A (m x K), a learnable latent vector b (length m), the recovered sparse code z (length K), its
/// support (the s largest |z|) and the differentiable architecture weights alpha on the support. It knows nothing about
/// networks or training: a strategy trains <see cref="LatentParameters"/> through <see cref="ArchitectureWeights"/>
/// and calls <see cref="Recover"/> between steps. Decisions are addressed by their index in <see cref="Decisions"/>.
/// </summary>
public interface ICompressedSearchSpace : IDisposable
{
    /// <summary>The decisions, in order (the order of every per-decision list of this interface).</summary>
    IReadOnlyList<Decision> Decisions { get; }

    /// <summary>A of a decision: the fixed measurement matrix, m x K, in the space's dtype.</summary>
    /// <param name="decision">Index in <see cref="Decisions"/>.</param>
    /// <returns>The matrix (not a copy).</returns>
    Tensor A(int decision);

    /// <summary>b of a decision: the learnable latent vector, length m.</summary>
    /// <param name="decision">Index in <see cref="Decisions"/>.</param>
    /// <returns>The parameter.</returns>
    TorchSharp.Modules.Parameter B(int decision);

    /// <summary>z of a decision: the current sparse code, length K (float64; a copy the caller disposes).</summary>
    /// <param name="decision">Index in <see cref="Decisions"/>.</param>
    /// <returns>A copy of z.</returns>
    Tensor Z(int decision);

    /// <summary>The support of a decision: indices of the s candidates with the largest |z|, ascending.</summary>
    /// <param name="decision">Index in <see cref="Decisions"/>.</param>
    /// <returns>The support.</returns>
    IReadOnlyList<int> Support(int decision);

    /// <summary>Every latent vector b, in decision order: what the architecture optimiser trains.</summary>
    IReadOnlyList<TorchSharp.Modules.Parameter> LatentParameters { get; }

    /// <summary>
    /// alpha of every decision: <c>alpha_j = z_j + a_j^T (b - A z)</c> on the support (z the thresholded code, constant),
    /// absent elsewhere. Differentiable in b, except for frozen decisions, whose alpha is constant. New tensors: call
    /// again after every step.
    /// </summary>
    /// <returns>One entry per decision.</returns>
    IReadOnlyList<NodeWeights> ArchitectureWeights();

    /// <summary>|z| per candidate of every decision, keyed by <see cref="Decision.Key"/>.</summary>
    /// <returns>The magnitudes.</returns>
    IReadOnlyDictionary<string, double[]> ZMagnitudes();

    /// <summary>
    /// Recovers z from b for every decision (or those <paramref name="include"/> selects by index) by sparse coding,
    /// warm-started from the current z, then updates supports. Frozen decisions never change. A decision whose new code
    /// has fewer than s non-zero entries keeps its previous code and support (<see cref="NodeRecovery.KeptPrevious"/>).
    /// </summary>
    /// <param name="include">Which decisions to recover; all when null.</param>
    /// <returns>What the recovery did, per decision.</returns>
    RecoveryReport Recover(Func<int, bool>? include = null);

    /// <summary>The architecture: per decision key the s candidates with the largest |z|, ascending.</summary>
    /// <returns>Decision key -> picked candidates.</returns>
    IReadOnlyDictionary<string, int[]> Picks();

    /// <summary>Whether a decision has stopped searching (one-stage search).</summary>
    /// <param name="decision">Index in <see cref="Decisions"/>.</param>
    /// <returns>True when frozen.</returns>
    bool IsFrozen(int decision);

    /// <summary>Freezes or unfreezes a decision: a frozen decision's b gets no gradient and its z no longer changes.</summary>
    /// <param name="decision">Index in <see cref="Decisions"/>.</param>
    /// <param name="frozen">The new state.</param>
    void SetFrozen(int decision, bool frozen);

    /// <summary>A snapshot of A, b, z, supports and frozen flags that <see cref="LoadState"/> restores exactly.</summary>
    /// <returns>The snapshot, keyed by decision.</returns>
    SearchSpaceState GetState();

    /// <summary>Restores a snapshot taken from a space with the same decisions.</summary>
    /// <param name="state">The snapshot.</param>
    /// <exception cref="ArgumentException">The snapshot belongs to a space with other decisions (the message says how they differ).</exception>
    void LoadState(SearchSpaceState state);
}
