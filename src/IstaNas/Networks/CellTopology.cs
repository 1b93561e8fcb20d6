using IstaNas.Architecture;

namespace IstaNas.Networks;

/// <summary>
/// A neutral description of one cell of an evaluation network (the DARTS genotype of one cell type): for each
/// intermediate node, two (operation, predecessor) pairs in node order, and the states concatenated at the output.
/// States 0 and 1 are the cell inputs; state <c>i + 2</c> is intermediate node <c>i</c>.
/// </summary>
/// <param name="Edges">(operation name, predecessor state) pairs, two per intermediate node, nodes in order.</param>
/// <param name="Concat">The states concatenated to form the cell output (DARTS: all intermediate nodes).</param>
internal sealed record CellTopology(IReadOnlyList<(string Op, int Input)> Edges, IReadOnlyList<int> Concat)
{
    /// <summary>Number of intermediate nodes (<c>Edges.Count / 2</c>).</summary>
    public int Nodes => Edges.Count / 2;

    /// <summary>Builds a topology that concatenates all intermediate nodes (states 2 .. N + 1).</summary>
    /// <param name="edges">(operation, predecessor) pairs, two per node.</param>
    /// <returns>The topology.</returns>
    public static CellTopology FromEdges(IReadOnlyList<(string Op, int Input)> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        return new CellTopology(edges, Enumerable.Range(2, edges.Count / 2).ToArray());
    }

    /// <summary>The topology of one cell type of a genotype (its pairs in node order and its concat list).</summary>
    /// <param name="genotype">A genotype of the DARTS space (two pairs per node).</param>
    /// <param name="cell">Which cell: normal or reduction.</param>
    /// <returns>The topology.</returns>
    /// <exception cref="ArgumentException">The genotype does not have exactly two pairs per node, as the evaluation network needs.</exception>
    public static CellTopology From(Genotype genotype, CellType cell)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        if (genotype.EdgesPerNode != 2)
        {
            throw new ArgumentException(
                $"The evaluation network needs two (operation, predecessor) pairs per node; the genotype has {genotype.EdgesPerNode}.", nameof(genotype));
        }

        return new CellTopology(
            genotype.Cell(cell).Select(e => (e.Operation, e.Input)).ToArray(),
            genotype.Concat(cell).ToArray());
    }

    /// <summary>Checks the description.</summary>
    /// <param name="parameterName">The argument name reported in exceptions.</param>
    /// <exception cref="ArgumentException">Odd or empty edge list, unknown operation, predecessor out of range, or bad concat list.</exception>
    public void Validate(string parameterName)
    {
        if (Edges is null || Edges.Count == 0 || Edges.Count % 2 != 0)
        {
            throw new ArgumentException($"A cell needs two (operation, predecessor) pairs per node; got {Edges?.Count ?? 0} pairs.", parameterName);
        }

        for (int e = 0; e < Edges.Count; e++)
        {
            var (op, input) = Edges[e];
            int node = e / 2;
            if (op is null || !OperationFactory.IsSupported(op))
            {
                throw new ArgumentException($"Edge {e} (node {node}) has unknown operation '{op}'.", parameterName);
            }

            if (input < 0 || input >= node + 2)
            {
                throw new ArgumentException($"Edge {e} (node {node}) reads state {input}; node {node} may read states 0 to {node + 1}.", parameterName);
            }
        }

        if (Concat is null || Concat.Count == 0)
        {
            throw new ArgumentException("The concat list must name at least one state.", parameterName);
        }

        foreach (int s in Concat)
        {
            if (s < 0 || s >= Nodes + 2)
            {
                throw new ArgumentException($"The concat list names state {s}, outside [0, {Nodes + 2}).", parameterName);
            }
        }
    }
}
