namespace IstaNas.Architecture;

/// <summary>
/// The seam between a search space and a super-net: whatever holds the architecture parameters (the ISTA-NAS compressed
/// space, DARTS' softmax alphas) hands each cell type's per-node candidates and weights to the network.
/// </summary>
internal interface IArchitectureSource
{
    /// <summary>The candidates that run and their weights, one entry per intermediate node of a cell type.</summary>
    /// <param name="cell">Normal or reduction cell.</param>
    /// <returns>One <see cref="NodeWeights"/> per node; the weights may carry autograd history.</returns>
    IReadOnlyList<NodeWeights> ArchitectureWeights(CellType cell);
}
