using System.Text;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// One NAS-Bench-201 cell: an operation on each of the 6 edges of the 4-node DAG, in the benchmark's edge order
/// <c>1&lt;-0, 2&lt;-0, 2&lt;-1, 3&lt;-0, 3&lt;-1, 3&lt;-2</c> (node i sums its edges from every earlier node; node 3 is the
/// output). Its text form is the benchmark's (<c>Structure.tostr</c> of D-X-Y/AutoDL-Projects), e.g.
/// <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|</c>.
/// </summary>
public sealed class Nb201Architecture : IEquatable<Nb201Architecture>
{
    private static readonly string[] OperationNames = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];
    private static readonly string[] Edge = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"];
    private readonly int[] _edges;

    /// <summary>Creates a cell from the operation index of each edge.</summary>
    /// <param name="edges">6 indices into <see cref="Operations"/>, in <see cref="EdgeNames"/> order.</param>
    /// <exception cref="ArgumentException">Not 6 edges, or an index outside 0..4.</exception>
    public Nb201Architecture(IReadOnlyList<int> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Count != Edge.Length)
            throw new ArgumentException($"A NAS-Bench-201 cell has {Edge.Length} edges, got {edges.Count}.", nameof(edges));
        for (int e = 0; e < edges.Count; e++)
        {
            if (edges[e] < 0 || edges[e] >= OperationNames.Length)
                throw new ArgumentException($"Edge {Edge[e]} has operation index {edges[e]}; NAS-Bench-201 has operations 0..{OperationNames.Length - 1} ({string.Join(", ", OperationNames)}).", nameof(edges));
        }

        _edges = [.. edges];
    }

    /// <summary>The candidate operations in the benchmark's order (<c>NAS_BENCH_201</c>): an edge's index refers to this list.</summary>
    public static IReadOnlyList<string> Operations => OperationNames;

    /// <summary>The 6 edges <c>"i&lt;-j"</c> (node i reads node j) in the benchmark's order; also the names of the search model's choices.</summary>
    public static IReadOnlyList<string> EdgeNames => Edge;

    /// <summary>The number of cells in the space, 5^6.</summary>
    public const int SpaceSize = 15_625;

    /// <summary>The operation index of each edge, in <see cref="EdgeNames"/> order.</summary>
    public IReadOnlyList<int> Edges => _edges;

    /// <summary>The cell with one operation on every edge (e.g. all <c>nor_conv_3x3</c>).</summary>
    /// <param name="operation">One of <see cref="Operations"/>.</param>
    /// <returns>The cell.</returns>
    public static Nb201Architecture Uniform(string operation) => new(Enumerable.Repeat(OperationIndex(operation, "operation"), Edge.Length).ToArray());

    /// <summary>Every cell of the space, edge 1&lt;-0 varying slowest (index = sum of op_e * 5^(5-e)).</summary>
    /// <returns>The 15,625 cells.</returns>
    public static IEnumerable<Nb201Architecture> All()
    {
        for (int index = 0; index < SpaceSize; index++) yield return FromIndex(index);
    }

    /// <summary>The cell of a position in <see cref="All"/>.</summary>
    /// <param name="index">In 0..15,624.</param>
    /// <returns>The cell.</returns>
    public static Nb201Architecture FromIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SpaceSize);
        var edges = new int[Edge.Length];
        for (int e = Edge.Length - 1; e >= 0; e--)
        {
            edges[e] = index % OperationNames.Length;
            index /= OperationNames.Length;
        }

        return new Nb201Architecture(edges);
    }

    /// <summary>
    /// Reads the benchmark's string. As the benchmark's lookups, it does not reduce isomorphic cells: node i must list its
    /// inputs 0..i-1 once each, in that order, as the benchmark writes them.
    /// </summary>
    /// <param name="text">E.g. <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|</c>.</param>
    /// <returns>The cell.</returns>
    /// <exception cref="FormatException">The string is not a NAS-Bench-201 cell; the message says what is wrong.</exception>
    public static Nb201Architecture Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] nodes = text.Trim().Split('+');
        if (nodes.Length != 3)
            throw Bad(text, $"it has {nodes.Length} node(s) separated by '+'; a NAS-Bench-201 cell has 3 (nodes 1, 2, 3)");
        var edges = new List<int>(Edge.Length);
        for (int node = 1; node <= 3; node++)
        {
            string part = nodes[node - 1];
            if (part.Length < 2 || part[0] != '|' || part[^1] != '|')
                throw Bad(text, $"node {node} ('{part}') must start and end with '|'");
            string[] inputs = part[1..^1].Split('|');
            if (inputs.Length != node)
                throw Bad(text, $"node {node} has {inputs.Length} input(s); it must have {node} (one from each of nodes 0..{node - 1})");
            for (int j = 0; j < node; j++)
            {
                string[] opAndInput = inputs[j].Split('~');
                if (opAndInput.Length != 2)
                    throw Bad(text, $"'{inputs[j]}' of node {node} is not of the form operation~input");
                if (!int.TryParse(opAndInput[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int from) || from != j)
                    throw Bad(text, $"input {j + 1} of node {node} reads '{opAndInput[1]}'; node {node} must read nodes 0..{node - 1} in order");
                int op = Array.IndexOf(OperationNames, opAndInput[0]);
                if (op < 0)
                    throw Bad(text, $"unknown operation '{opAndInput[0]}' (the operations are {string.Join(", ", OperationNames)})");
                edges.Add(op);
            }
        }

        return new Nb201Architecture(edges);
    }

    /// <summary>Reads the neutral form: choice (edge) name -> the one picked operation index.</summary>
    /// <param name="choices">An entry for each of <see cref="EdgeNames"/>, each with exactly one index in 0..4; no other entries.</param>
    /// <returns>The cell.</returns>
    /// <exception cref="ArgumentException">An edge is missing, unknown, or has not exactly one valid pick.</exception>
    public static Nb201Architecture FromChoices(IReadOnlyDictionary<string, int[]> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        foreach (string key in choices.Keys)
        {
            if (Array.IndexOf(Edge, key) < 0)
                throw new ArgumentException($"'{key}' is not a NAS-Bench-201 edge; the edges are {string.Join(", ", Edge)}.", nameof(choices));
        }

        var edges = new int[Edge.Length];
        for (int e = 0; e < Edge.Length; e++)
        {
            if (!choices.TryGetValue(Edge[e], out int[]? picks))
                throw new ArgumentException($"The architecture has no pick for edge {Edge[e]}.", nameof(choices));
            if (picks is null || picks.Length != 1)
                throw new ArgumentException($"Edge {Edge[e]} needs exactly one pick, got {picks?.Length ?? 0}.", nameof(choices));
            edges[e] = picks[0];
        }

        return new Nb201Architecture(edges);
    }

    /// <summary>The neutral form: edge name -> the picked operation index (one per edge).</summary>
    /// <returns>A new dictionary with the 6 edges.</returns>
    public IReadOnlyDictionary<string, int[]> ToChoices()
    {
        var choices = new Dictionary<string, int[]>(StringComparer.Ordinal);
        for (int e = 0; e < Edge.Length; e++) choices[Edge[e]] = [_edges[e]];
        return choices;
    }

    /// <summary>The operation on edge <c>to&lt;-from</c>.</summary>
    /// <param name="to">Node 1..3.</param>
    /// <param name="from">Node 0..to-1.</param>
    /// <returns>The operation's name.</returns>
    public string OperationOf(int to, int from)
    {
        if (to < 1 || to > 3 || from < 0 || from >= to)
            throw new ArgumentOutOfRangeException(nameof(from), $"Edge {to}<-{from} is not in the cell; the edges are {string.Join(", ", Edge)}.");
        return OperationNames[_edges[EdgeIndex(to, from)]];
    }

    /// <summary>The benchmark's string of the cell.</summary>
    /// <returns>E.g. <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|...|</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (int node = 1; node <= 3; node++)
        {
            if (node > 1) text.Append('+');
            text.Append('|');
            for (int j = 0; j < node; j++) text.Append(OperationNames[_edges[EdgeIndex(node, j)]]).Append('~').Append(j).Append('|');
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(Nb201Architecture? other) => other is not null && _edges.AsSpan().SequenceEqual(other._edges);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Nb201Architecture);

    /// <inheritdoc />
    public override int GetHashCode() => _edges.Aggregate(17, (h, op) => (h * 5) + op);

    internal static int EdgeIndex(int to, int from) => (to * (to - 1) / 2) + from;

    internal static int OperationIndex(string operation, string parameter)
    {
        ArgumentNullException.ThrowIfNull(operation, parameter);
        int op = Array.IndexOf(OperationNames, operation);
        return op >= 0 ? op : throw new ArgumentException($"Unknown NAS-Bench-201 operation '{operation}'; the operations are {string.Join(", ", OperationNames)}.", parameter);
    }

    private static FormatException Bad(string text, string why) => new($"'{text}' is not a NAS-Bench-201 architecture string: {why}.");
}
