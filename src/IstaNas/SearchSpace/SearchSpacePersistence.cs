using IstaNas.Architecture;
using IstaNas.IO;
using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// Persistence of a <see cref="CompressedSearchSpace"/>: the exact snapshot of its A, b, z, supports and frozen flags
/// (<see cref="SearchSpaceState"/>), its restoration after checks that name what does not fit, and the JSON file
/// (search_space.json) that holds it.
/// </summary>
internal static class SearchSpacePersistence
{
    /// <summary>The snapshot of <paramref name="space"/> (A, b in float32; z in float64).</summary>
    public static SearchSpaceState Capture(CompressedSearchSpace space)
    {
        bool cells = space.IsCellSpace;
        IReadOnlyList<Decision> decisions = space.Decisions;
        IReadOnlyList<DecisionTensors> tensors = space.Tensors;
        return new SearchSpaceState
        {
            Nodes = space.Nodes,
            Operations = cells ? [.. space.Options.Operations] : [],
            ProjectionDims = cells ? space.Options.ProjectionDims : 0,
            Sparsity = cells ? space.Options.Sparsity : 0,
            Matrix = space.Options.Matrix,
            Decisions = cells ? null : [.. decisions],
            NodeStates = tensors.Select((d, k) => new NodeState(
                space.Position(k).Cell, space.Position(k).Node,
                d.A.to(float32).cpu().data<float>().ToArray(),
                d.B.detach().to(float32).cpu().data<float>().ToArray(),
                d.ZHost(),
                [.. d.Support],
                d.Frozen)
            { Key = decisions[k].Key }).ToArray(),
        };
    }

    /// <summary>Checks <paramref name="state"/> against the space's shape and every decision, then copies it in.</summary>
    /// <exception cref="ArgumentException">The state does not fit (the message says how), or holds a non-finite value.</exception>
    public static void Restore(CompressedSearchSpace space, SearchSpaceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyList<Decision> decisions = space.Decisions;
        IReadOnlyList<DecisionTensors> tensors = space.Tensors;
        string? mismatch = space.IsCellSpace ? state.MismatchWith(space.Options) : state.MismatchWith(decisions);
        if (mismatch is not null)
            throw new ArgumentException($"The saved search space has a different shape ({mismatch}).", nameof(state));
        for (int k = 0; k < tensors.Count; k++)
        {
            NodeState s = state.NodeStates[k];
            Decision dec = decisions[k];
            int m = dec.ProjectionDims, n = dec.Count;
            string key = s.Key ?? NodeKeys.Of(s.Cell, s.Node); // states saved before issue 19 have no keys: they are cell spaces
            if (key != dec.Key || s.A.Length != m * n || s.B.Length != m || s.Z.Length != n
                || s.Support.Length != dec.Picks || s.Support.Any(c => c < 0 || c >= n))
                throw new ArgumentException($"Saved state of {key} does not fit decision {dec.Key} of the space (m = {m}, K = {n}, s = {dec.Picks}).", nameof(state));
            if (s.A.Any(v => !float.IsFinite(v)) || s.B.Any(v => !float.IsFinite(v)) || s.Z.Any(v => !double.IsFinite(v)))
                throw new ArgumentException($"Saved state of {key} holds a non-finite value.", nameof(state));
        }
        using (no_grad())
        {
            for (int k = 0; k < tensors.Count; k++)
            {
                NodeState s = state.NodeStates[k];
                DecisionTensors d = tensors[k];
                int m = decisions[k].ProjectionDims;
                using (Tensor a = tensor(s.A, [m, s.A.Length / m], dtype: float32)) d.A.copy_(a);
                using (Tensor b = tensor(s.B, dtype: float32)) d.B.copy_(b);
                // (a float64 space round-trips b through float32 in the saved state)
                using (Tensor z = tensor(s.Z, dtype: float64)) d.Z.copy_(z);
                d.Frozen = s.Frozen;
                d.B.requires_grad = !s.Frozen;
                d.SetSupport(s.Support);
            }
        }
    }

    /// <summary>Writes the snapshot of <paramref name="space"/> as JSON, atomically.</summary>
    public static void Save(ICompressedSearchSpace space, string path) => AtomicFile.WriteAllText(path, space.GetState().ToJson());

    /// <summary>Reads a snapshot written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a search-space state (the message names it).</exception>
    public static SearchSpaceState Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Search-space file '{path}' does not exist.", path);
        try
        {
            return SearchSpaceState.FromJson(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"'{path}': {ex.Message}", ex);
        }
    }
}
