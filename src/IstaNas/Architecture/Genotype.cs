using System.Text;
using System.Text.Json;

using IstaNas.IO;

namespace IstaNas.Architecture;

/// <summary>
/// A searched architecture: for the normal and the reduction cell, <see cref="EdgesPerNode"/>
/// (operation, predecessor) pairs per intermediate node, nodes in order, and the nodes the cell
/// concatenates for its output. Immutable and validated on construction.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(GenotypeJsonConverter))]
public sealed partial class Genotype : IEquatable<Genotype>
{
    /// <summary>Creates and validates a genotype.</summary>
    /// <param name="normal">Pairs of the normal cell, <paramref name="edgesPerNode"/> per node, node 0 first.</param>
    /// <param name="reduce">Pairs of the reduction cell, same layout.</param>
    /// <param name="normalConcat">Node indices concatenated by the normal cell (2-based: 2 = node 0); default all nodes.</param>
    /// <param name="reduceConcat">Same for the reduction cell; default all nodes.</param>
    /// <param name="edgesPerNode">Pairs per node (the sparsity s); 2 in the DARTS space.</param>
    /// <exception cref="ArgumentException">An unknown operation, a predecessor out of range, a wrong number of pairs or a bad concat list.</exception>
    public Genotype(
        IEnumerable<GenotypeEdge> normal,
        IEnumerable<GenotypeEdge> reduce,
        IEnumerable<int>? normalConcat = null,
        IEnumerable<int>? reduceConcat = null,
        int edgesPerNode = 2)
    {
        ArgumentNullException.ThrowIfNull(normal);
        ArgumentNullException.ThrowIfNull(reduce);
        if (edgesPerNode is < 1 or > MaxEdgesPerNode)
            throw new ArgumentOutOfRangeException(nameof(edgesPerNode), edgesPerNode,
                $"Each node needs 1..{MaxEdgesPerNode} (operation, predecessor) pairs (the search space's sparsity s is at most {MaxEdgesPerNode}).");
        EdgesPerNode = edgesPerNode;
        Normal = normal.Take((MaxNodes + 1) * edgesPerNode).ToArray();
        Reduce = reduce.Take((MaxNodes + 1) * edgesPerNode).ToArray();
        foreach (var (cell, name) in new[] { (Normal, nameof(normal)), (Reduce, nameof(reduce)) })
            if (cell.Count > MaxNodes * edgesPerNode)
                throw new ArgumentException(
                    $"The {name} cell has more than {MaxNodes} nodes ({edgesPerNode} pairs each); the networks support at most {MaxNodes} (SearchSpaceOptions.Nodes).", name);
        Validate(Normal, nameof(normal), edgesPerNode);
        Validate(Reduce, nameof(reduce), edgesPerNode);
        if (Normal.Count != Reduce.Count)
            throw new ArgumentException(
                $"The normal cell has {Normal.Count / edgesPerNode} nodes and the reduction cell {Reduce.Count / edgesPerNode}; they must have the same number.",
                nameof(reduce));
        Nodes = Normal.Count / edgesPerNode;
        NormalConcat = ValidateConcat(normalConcat, Nodes, nameof(normalConcat));
        ReduceConcat = ValidateConcat(reduceConcat, Nodes, nameof(reduceConcat));
    }

    /// <summary>The most intermediate nodes a cell may have: the search space's limit (<c>SearchSpaceOptions.Nodes</c> is 1..16).</summary>
    internal const int MaxNodes = 16;

    /// <summary>The most pairs per node: the search space's limit on the sparsity (<c>SearchSpaceOptions.Sparsity</c> is 1..64).</summary>
    internal const int MaxEdgesPerNode = 64;

    /// <summary>Pairs of the normal cell, <see cref="EdgesPerNode"/> per node, node 0 first.</summary>
    public IReadOnlyList<GenotypeEdge> Normal { get; }

    /// <summary>Pairs of the reduction cell, <see cref="EdgesPerNode"/> per node, node 0 first.</summary>
    public IReadOnlyList<GenotypeEdge> Reduce { get; }

    /// <summary>States concatenated by the normal cell (2 = node 0).</summary>
    public IReadOnlyList<int> NormalConcat { get; }

    /// <summary>States concatenated by the reduction cell (2 = node 0).</summary>
    public IReadOnlyList<int> ReduceConcat { get; }

    /// <summary>Number of intermediate nodes per cell.</summary>
    public int Nodes { get; }

    /// <summary>Pairs per node (the sparsity s).</summary>
    public int EdgesPerNode { get; }

    /// <summary>The pairs of a cell type.</summary>
    public IReadOnlyList<GenotypeEdge> Cell(CellType cell) => cell == CellType.Normal ? Normal : Reduce;

    /// <summary>The concat list of a cell type.</summary>
    public IReadOnlyList<int> Concat(CellType cell) => cell == CellType.Normal ? NormalConcat : ReduceConcat;

    /// <summary>The pairs of one node of one cell.</summary>
    public IReadOnlyList<GenotypeEdge> NodeEdges(CellType cell, int node)
    {
        if (node < 0 || node >= Nodes)
            throw new ArgumentOutOfRangeException(nameof(node), node, $"The genotype has nodes 0..{Nodes - 1}.");
        return Cell(cell).Skip(node * EdgesPerNode).Take(EdgesPerNode).ToArray();
    }

    /// <summary>Serialises to indented JSON (see <see cref="FromJson"/> for the schema).</summary>
    public string ToJson() => JsonSerializer.Serialize(GenotypeDto.From(this), GenotypeDto.Options);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <remarks>
    /// Schema: <c>{"normal":[{"op":"sep_conv_3x3","input":0},...],"normalConcat":[2,3,4,5],
    /// "reduce":[...],"reduceConcat":[...],"edgesPerNode":2}</c>; concat lists and edgesPerNode are optional.
    /// </remarks>
    /// <exception cref="FormatException">The text is not JSON of that schema, or describes an invalid genotype.</exception>
    public static Genotype FromJson(string json)
    {
        GenotypeDto? dto = JsonText.Deserialize<GenotypeDto>(json, GenotypeDto.Options, "Not a genotype JSON document");
        if (dto?.Normal is null || dto.Reduce is null)
            throw new FormatException("A genotype JSON document needs the arrays \"normal\" and \"reduce\".");
        return JsonText.Build(dto.ToGenotype, "Invalid genotype");
    }

    /// <summary>
    /// The form DARTS and the ISTA-NAS authors print and keep in <c>genotypes.py</c>:
    /// <c>Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=range(2, 6), reduce=[...], reduce_concat=range(2, 6))</c>.
    /// Concat lists of consecutive states are written as <c>range(a, b)</c>. The form does not record
    /// <see cref="EdgesPerNode"/> (DARTS: 2).
    /// </summary>
    public string ToDartsString() => DartsGenotypeFormat.Format(this);

    /// <summary>Parses the DARTS form (see <see cref="ToDartsString"/>).</summary>
    /// <remarks>
    /// Accepted: keyword fields in any order or positional ones in DARTS' order (normal, normal_concat, reduce,
    /// reduce_concat); <c>range(a, b)</c> or <c>[2, 3, 4, 5]</c> concat lists; single or double quotes; any
    /// whitespace and newlines; trailing commas; an optional <c>genotypes.</c> prefix before <c>Genotype</c>
    /// (which may itself be left out) and an optional leading assignment such as <c>DARTS_V2 = </c>.
    /// </remarks>
    /// <param name="text">The genotype in DARTS form.</param>
    /// <param name="edgesPerNode">Pairs per node; the DARTS space has 2.</param>
    /// <returns>The validated genotype.</returns>
    /// <exception cref="FormatException">The text is not of that form (the message gives the line and column) or describes an invalid genotype.</exception>
    public static Genotype ParseDarts(string text, int edgesPerNode = 2) => DartsGenotypeFormat.Parse(text, edgesPerNode);

    /// <summary>Reads a genotype from a file holding its JSON form (<see cref="ToJson"/>) or its DARTS form (<see cref="ToDartsString"/>); the first non-space character tells which.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a valid genotype (the message names the file).</exception>
    public static Genotype Load(string path) =>
        JsonText.Load(path, "Genotype", text => text.TrimStart().StartsWith('{') ? FromJson(text) : ParseDarts(text));

    /// <summary>Writes the JSON form atomically (temporary file, then rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>A readable multi-line form: one line per node of each cell.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
        {
            sb.Append(cell == CellType.Normal ? "normal" : "reduce").Append(" cell:");
            for (int node = 0; node < Nodes; node++)
                sb.Append(Environment.NewLine).Append("  n").Append(node).Append(" = ")
                  .Append(string.Join(" + ", NodeEdges(cell, node)));
            sb.Append(Environment.NewLine).Append("  out = concat(")
              .Append(string.Join(", ", Concat(cell).Select(GenotypeEdge.InputName))).Append(')').Append(Environment.NewLine);
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>
    /// Same architecture: the same pairs per node of both cells, whatever their order within a node (the authors print
    /// a node's pairs strongest last, this library in candidate order), and the same concat lists. Networks are built
    /// in the genotype's pair order, so a saved network still checks the exact order (see <c>TrainedNetwork</c>).
    /// </summary>
    /// <param name="other">The other genotype.</param>
    /// <returns>Whether both describe the same cells.</returns>
    public bool Equals(Genotype? other) =>
        other is not null && EdgesPerNode == other.EdgesPerNode && Nodes == other.Nodes &&
        SameNodes(CellType.Normal, other) && SameNodes(CellType.Reduce, other) &&
        NormalConcat.SequenceEqual(other.NormalConcat) && ReduceConcat.SequenceEqual(other.ReduceConcat);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Genotype);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
            for (int node = 0; node < Nodes; node++)
                h.Add(NodeKey(cell, node), StringComparer.Ordinal);
        h.Add(EdgesPerNode);
        return h.ToHashCode();
    }

    private bool SameNodes(CellType cell, Genotype other)
    {
        for (int node = 0; node < Nodes; node++)
            if (NodeKey(cell, node) != other.NodeKey(cell, node)) return false;
        return true;
    }

    /// <summary>The pairs of a node in a canonical order (operation, then predecessor).</summary>
    private string NodeKey(CellType cell, int node) =>
        string.Join(";", NodeEdges(cell, node).Select(e => $"{e.Operation}:{e.Input}").Order(StringComparer.Ordinal));

    private static void Validate(IReadOnlyList<GenotypeEdge> edges, string name, int perNode)
    {
        if (edges.Count == 0 || edges.Count % perNode != 0)
            throw new ArgumentException(
                $"The {name} cell has {edges.Count} (operation, predecessor) pairs; it needs {perNode} per node (a positive multiple of {perNode}).", name);
        for (int i = 0; i < edges.Count; i++)
        {
            GenotypeEdge e = edges[i] ?? throw new ArgumentException($"Pair {i} of the {name} cell is null.", name);
            int node = i / perNode;
            if (!Operations.IsKnown(e.Operation))
                throw new ArgumentException(
                    $"Pair {i} of the {name} cell (node {node}) has unknown operation '{e.Operation}'; known: {string.Join(", ", Operations.Default)}.", name);
            if (e.Input < 0 || e.Input >= node + 2)
                throw new ArgumentException(
                    $"Pair {i} of the {name} cell (node {node}) reads predecessor {e.Input}; node {node} may read 0..{node + 1}.", name);
        }
    }

    private static int[] ValidateConcat(IEnumerable<int>? concat, int nodes, string name)
    {
        int[] result = concat?.ToArray() ?? Enumerable.Range(2, nodes).ToArray();
        if (result.Length == 0)
            throw new ArgumentException("A cell must concatenate at least one state.", name);
        foreach (int c in result)
            if (c < 0 || c >= nodes + 2)
                throw new ArgumentException($"Concat entry {c} is out of range 0..{nodes + 1}.", name);
        if (result.Distinct().Count() != result.Length)
            throw new ArgumentException($"Concat list [{string.Join(", ", result)}] repeats a state.", name);
        return result;
    }
}
