using System.Text.Json;
using IstaNas.Architecture;

namespace IstaNas.SearchSpace;

/// <summary>
/// A complete, exact snapshot of a compressed search space: its shape, and per node A, b, z, support and
/// frozen flag. Serialises to JSON with round-trip precision (every float and double restores bit for bit).
/// </summary>
public sealed class SearchSpaceState
{
    /// <summary>Intermediate nodes per cell.</summary>
    public int Nodes { get; init; }

    /// <summary>Candidate operations, in order.</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];

    /// <summary>Projection dimension m.</summary>
    public int ProjectionDims { get; init; }

    /// <summary>Sparsity s.</summary>
    public int Sparsity { get; init; }

    /// <summary>How A was sampled.</summary>
    public MeasurementMatrixKind Matrix { get; init; }

    /// <summary>The decisions of a space of decisions (a model's choices), in order; null for the DARTS cell space.</summary>
    public IReadOnlyList<Decision>? Decisions { get; init; }

    /// <summary>Per decision state: the DARTS cell space's normal cell nodes first, then reduction cell nodes.</summary>
    public IReadOnlyList<NodeState> NodeStates { get; init; } = [];

    /// <summary>Serialises to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, IO.JsonFormat.Compact);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a search-space state.</exception>
    public static SearchSpaceState FromJson(string json)
    {
        try
        {
            using (JsonDocument document = JsonDocument.Parse(json))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new FormatException($"Not a search-space state: the JSON is {document.RootElement.ValueKind}, not an object.");
                string[] keys = [.. document.RootElement.EnumerateObject().Select(p => p.Name.ToUpperInvariant())];
                if (keys.Contains("NORMAL") && keys.Contains("REDUCE"))
                    throw new FormatException("This is a genotype (it has \"normal\" and \"reduce\"), not a search-space state (search_space.json); read it with Genotype.Load.");
                if (!keys.Contains("NODESTATES"))
                    throw new FormatException("Not a search-space state: it has no \"nodeStates\" (search_space.json, written by CompressedSearchSpace.Save, has).");
            }

            return JsonSerializer.Deserialize<SearchSpaceState>(json, IO.JsonFormat.Compact) ?? throw new FormatException("Empty search-space state.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a search-space state: {ex.Message}", ex);
        }
    }

    /// <summary>Describes how this state's shape differs from <paramref name="options"/>, or null when it matches.</summary>
    public string? MismatchWith(SearchSpaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Decisions is not null) return $"saved by a search of a model's choices ({Decisions.Count} decisions), not of the DARTS cell space";
        if (Nodes != options.Nodes) return $"nodes {Nodes} vs {options.Nodes}";
        if (!Operations.SequenceEqual(options.Operations)) return $"operations [{string.Join(", ", Operations)}] vs [{string.Join(", ", options.Operations)}]";
        if (ProjectionDims != options.ProjectionDims) return $"projection dims m {ProjectionDims} vs {options.ProjectionDims}";
        if (Sparsity != options.Sparsity) return $"sparsity s {Sparsity} vs {options.Sparsity}";
        if (Matrix != options.Matrix) return $"matrix {Matrix} vs {options.Matrix}";
        if (NodeStates.Count != 2 * Nodes) return $"{NodeStates.Count} node states for {2 * Nodes} nodes";
        return null;
    }

    /// <summary>Describes how this state's decisions differ from <paramref name="decisions"/>, or null when they match.</summary>
    public string? MismatchWith(IReadOnlyList<Decision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (Decisions is null) return "saved by a search of the DARTS cell space, not of a model's choices";
        if (Decisions.Count != decisions.Count)
            return $"{Decisions.Count} decisions [{string.Join(", ", Decisions.Select(d => d.Key))}] vs {decisions.Count} [{string.Join(", ", decisions.Select(d => d.Key))}]";
        for (int k = 0; k < decisions.Count; k++)
            if (Decisions[k] != decisions[k])
                return $"decision {k}: saved {Describe(Decisions[k])}, the space has {Describe(decisions[k])}";
        if (NodeStates.Count != decisions.Count) return $"{NodeStates.Count} decision states for {decisions.Count} decisions";
        return null;
    }

    private static string Describe(Decision d) => $"'{d.Key}' (K = {d.Count}, s = {d.Picks}, m = {d.ProjectionDims})";
}

/// <summary>One decision's part of a <see cref="SearchSpaceState"/> (a node of the DARTS cell space, or a choice).</summary>
/// <param name="Cell">Normal or reduction cell.</param>
/// <param name="Node">Node index.</param>
/// <param name="A">A, row-major m x n.</param>
/// <param name="B">b, length m.</param>
/// <param name="Z">z, length n.</param>
/// <param name="Support">Support, ascending.</param>
/// <param name="Frozen">Whether the node has stopped searching.</param>
public sealed record NodeState(CellType Cell, int Node, float[] A, float[] B, double[] Z, int[] Support, bool Frozen)
{
    /// <summary>The decision's key; null in states written before decisions had keys (then the key is "cell/node").</summary>
    public string? Key { get; init; }
}
