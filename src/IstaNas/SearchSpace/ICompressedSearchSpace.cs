using IstaNas.Architecture;
using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The compressed search space of ISTA-NAS: per intermediate node of the normal and the reduction cell,
/// a fixed measurement matrix A (m x n_i), a learnable latent vector b (length m), the recovered sparse
/// code z (length n_i), its support and the differentiable architecture weights alpha.
/// It knows nothing about networks or training.
/// </summary>
internal interface ICompressedSearchSpace : IDisposable
{
    /// <summary>The shape of the space.</summary>
    SearchSpaceOptions Options { get; }

    /// <summary>Intermediate nodes per cell.</summary>
    int Nodes { get; }

    /// <summary>Candidates of node <paramref name="node"/>: (node + 2) * K.</summary>
    int CandidateCount(int node);

    /// <summary>A_i: the fixed measurement matrix of a node, m x n_i, in the space's dtype (float32 by default).</summary>
    Tensor A(CellType cell, int node);

    /// <summary>b_i: the learnable latent vector of a node, length m, in the space's dtype.</summary>
    TorchSharp.Modules.Parameter B(CellType cell, int node);

    /// <summary>z_i: the current sparse code of a node, length n_i (float64; a copy the caller disposes).</summary>
    Tensor Z(CellType cell, int node);

    /// <summary>S_i: indices of the s candidates with the largest |z_i|, ascending.</summary>
    IReadOnlyList<int> Support(CellType cell, int node);

    /// <summary>Every latent vector b, normal cell nodes first: what the architecture optimizer trains.</summary>
    IReadOnlyList<TorchSharp.Modules.Parameter> LatentParameters { get; }

    /// <summary>
    /// alpha for every node of a cell: <c>alpha_j = z_j + a_j^T (b - A z)</c> on the support (z the thresholded
    /// code, constant), absent elsewhere. Differentiable in b, except for frozen nodes, whose alpha is constant.
    /// </summary>
    IReadOnlyList<NodeWeights> ArchitectureWeights(CellType cell);

    /// <summary>|z| per candidate of every node, keyed "normal/0" .. "reduce/3" (<see cref="NodeKeys"/>).</summary>
    IReadOnlyDictionary<string, double[]> ZMagnitudes();

    /// <summary>
    /// Recovers z from b for every node (or those <paramref name="include"/> selects) by sparse coding,
    /// warm-started from the current z, then updates supports. Frozen nodes are never changed. A node whose new code
    /// has fewer than s non-zero entries keeps its previous code and support (<see cref="NodeRecovery.KeptPrevious"/>).
    /// </summary>
    RecoveryReport Recover(Func<CellType, int, bool>? include = null);

    /// <summary>Decodes a candidate index of a node into (predecessor, operation name).</summary>
    GenotypeEdge Decode(int node, int candidate);

    /// <summary>
    /// The architecture: per node the s candidates with the largest |z| (its support), in candidate order (predecessor,
    /// then operation) — the order the networks built from it use, so a genotype and its trained weights always agree.
    /// </summary>
    Genotype DeriveGenotype();

    /// <summary>Whether a node has stopped searching (one-stage search).</summary>
    bool IsFrozen(CellType cell, int node);

    /// <summary>Freezes or unfreezes a node: a frozen node's b gets no gradient and its z no longer changes.</summary>
    void SetFrozen(CellType cell, int node, bool frozen);

    /// <summary>A snapshot of A, b, z, supports and frozen flags that <see cref="LoadState"/> restores exactly.</summary>
    SearchSpaceState GetState();

    /// <summary>Restores a snapshot taken from a space of the same shape.</summary>
    /// <exception cref="ArgumentException">The snapshot belongs to a space of a different shape.</exception>
    void LoadState(SearchSpaceState state);
}
