using IstaNas.Architecture;

namespace IstaNas.SearchSpace;

/// <summary>What one recovery of the sparse codes did, node by node.</summary>
/// <param name="Nodes">One entry per node that was recovered (frozen and excluded nodes are absent).</param>
public sealed record RecoveryReport(IReadOnlyList<NodeRecovery> Nodes)
{
    /// <summary>The largest ||z_new - z_old||_2 over the recovered nodes (0 when none was).</summary>
    public double MaxChange => Nodes.Count == 0 ? 0 : Nodes.Max(n => n.Change);

    /// <summary>True when every recovered node's solver met its tolerance.</summary>
    public bool AllConverged => Nodes.All(n => n.Converged);

    /// <summary>Nodes whose new code had fewer than s non-zero entries, so their previous code and support were kept.</summary>
    public IReadOnlyList<NodeRecovery> Kept => [.. Nodes.Where(n => n.KeptPrevious)];
}

/// <summary>Recovery of one node's sparse code.</summary>
/// <param name="Cell">Normal or reduction cell (the DARTS cell space; Normal in a space of decisions).</param>
/// <param name="Node">Intermediate node index (the DARTS cell space; the decision index in a space of decisions).</param>
/// <param name="Change">||z_new - z_old||_2, the quantity the one-stage search compares with epsilon.</param>
/// <param name="Iterations">Solver iterations.</param>
/// <param name="Converged">Whether the solver met its tolerance before the iteration cap.</param>
/// <param name="Objective">Final LASSO objective 1/2 ||A z - b||^2 + lambda ||z||_1.</param>
/// <param name="Support">The support after this recovery (ascending candidate indices).</param>
/// <param name="NonZeros">Non-zero entries of the recovered code.</param>
/// <param name="KeptPrevious">
/// The recovered code had fewer than s non-zero entries: it names fewer than s candidates, so instead of padding the
/// support with zero-weight candidates by index, the node kept its previous code and support (<see cref="Change"/>
/// still measures the recovered code against the kept one).
/// </param>
public sealed record NodeRecovery(
    CellType Cell, int Node, double Change, int Iterations, bool Converged, double Objective, IReadOnlyList<int> Support,
    int NonZeros, bool KeptPrevious)
{
    /// <summary>The decision's key ("normal/0" .. "reduce/3" in the DARTS cell space, the choice's name otherwise).</summary>
    public string Key { get; init; } = NodeKeys.Of(Cell, Node);
}
