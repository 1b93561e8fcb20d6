using IstaNas.Architecture;
using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The DARTS cell space's view of the compressed space: its decisions are the 2 x Nodes intermediate nodes of the
/// normal and the reduction cell, addressed here by (cell type, node), decoded into operations and predecessors, and
/// read out as a <see cref="Genotype"/>. A space of decisions (<see cref="ForDecisions"/>) refuses these members.
/// </summary>
public sealed partial class CompressedSearchSpace
{
    /// <summary>The decisions of the DARTS cell space: normal/0 .. normal/N-1, reduce/0 .. reduce/N-1.</summary>
    /// <param name="options">The cell space's shape.</param>
    /// <returns>One decision per intermediate node of each cell type.</returns>
    public static Decision[] CellDecisions(SearchSpaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. Cells.SelectMany(cell => Enumerable.Range(0, options.Nodes).Select(i =>
            new Decision(NodeKeys.Of(cell, i), options.CandidateCount(i), options.Sparsity, options.ProjectionDims)))];
    }

    /// <summary>Candidates of node <paramref name="node"/> of the cell space: (node + 2) * K.</summary>
    public int CandidateCount(int node)
    {
        CheckNode(node);
        return Options.CandidateCount(node);
    }

    /// <summary>A of a node of the cell space.</summary>
    public Tensor A(CellType cell, int node) => Get(cell, node).A;

    /// <summary>b of a node of the cell space.</summary>
    public TorchSharp.Modules.Parameter B(CellType cell, int node) => Get(cell, node).B;

    /// <summary>z of a node of the cell space (a copy).</summary>
    public Tensor Z(CellType cell, int node) => Get(cell, node).Z.clone();

    /// <summary>The support of a node of the cell space.</summary>
    public IReadOnlyList<int> Support(CellType cell, int node) => Get(cell, node).Support;

    /// <summary>Whether a node of the cell space has stopped searching.</summary>
    public bool IsFrozen(CellType cell, int node) => Get(cell, node).Frozen;

    /// <summary>Freezes or unfreezes a node of the cell space.</summary>
    public void SetFrozen(CellType cell, int node, bool frozen) => SetFrozen(Index(cell, CheckCell(cell, node)), frozen);

    /// <summary>alpha of every node of one cell type of the cell space.</summary>
    public IReadOnlyList<NodeWeights> ArchitectureWeights(CellType cell)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckCell(cell, 0);
        var result = new NodeWeights[Nodes];
        for (int i = 0; i < Nodes; i++) result[i] = Weights(_nodes[Index(cell, i)]);
        return result;
    }

    /// <summary>Recovers the nodes of the cell space that <paramref name="include"/> selects (all when null).</summary>
    internal RecoveryReport Recover(Func<CellType, int, bool>? include) =>
        include is null ? Recover() : Recover(k => _cells && include(Cells[k / Nodes], k % Nodes));

    /// <summary>Decodes a candidate index of a node of the cell space into (predecessor, operation name).</summary>
    public GenotypeEdge Decode(int node, int candidate)
    {
        int n = CandidateCount(node);
        if (candidate < 0 || candidate >= n)
            throw new ArgumentOutOfRangeException(nameof(candidate), candidate, $"Node {node} has candidates 0..{n - 1}.");
        int k = Options.Operations.Count;
        return new GenotypeEdge(Options.Operations[CandidateIndex.Operation(candidate, k)], CandidateIndex.Predecessor(candidate, k));
    }

    /// <summary>
    /// The architecture of the cell space: per node the s candidates with the largest |z| (its support), in candidate
    /// order (predecessor, then operation) — the order the networks built from it use.
    /// </summary>
    public Genotype DeriveGenotype()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireCells();
        IEnumerable<GenotypeEdge> Cell(CellType cell) => Enumerable.Range(0, Nodes).SelectMany(i =>
        {
            double[] z = Get(cell, i).ZHost();
            return SupportAlpha.Support(z, Options.Sparsity).Select(c => Decode(i, c));
        });
        return new Genotype(Cell(CellType.Normal).ToArray(), Cell(CellType.Reduce).ToArray(), edgesPerNode: Options.Sparsity);
    }

    /// <summary>Cell and node of decision <paramref name="k"/> (Normal and k in a space of decisions).</summary>
    internal (CellType Cell, int Node) Position(int k) => _cells ? (Cells[k / Nodes], k % Nodes) : (CellType.Normal, k);

    private int Index(CellType cell, int node) => ((int)cell * Nodes) + node;

    private DecisionTensors Get(CellType cell, int node)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _nodes[Index(cell, CheckCell(cell, node))];
    }

    private int CheckCell(CellType cell, int node)
    {
        RequireCells();
        if (cell is not CellType.Normal and not CellType.Reduce)
            throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell type.");
        CheckNode(node);
        return node;
    }

    private void RequireCells()
    {
        if (!_cells)
            throw new InvalidOperationException("This compressed space is a space of decisions, not the DARTS cell space: address its decisions by index or key.");
    }

    private void CheckNode(int node)
    {
        RequireCells();
        if (node < 0 || node >= Nodes)
            throw new ArgumentOutOfRangeException(nameof(node), node, $"The space has nodes 0..{Nodes - 1}.");
    }
}
