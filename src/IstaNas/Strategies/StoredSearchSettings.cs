using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;

namespace IstaNas.Strategies;

/// <summary>What rebuilds a search, stored in its checkpoints so that a run can continue from the file alone.</summary>
/// <param name="Strategy">The strategy's name ("two-stage", "one-stage", "darts", ...).</param>
/// <param name="Options">The strategy's options as JSON.</param>
/// <param name="SearchSpace">The search space options.</param>
/// <param name="SparseCoder">The sparse coder options.</param>
/// <param name="Seed">The seed.</param>
internal sealed record StoredSearchSettings(string Strategy, JsonElement Options, SearchSpaceOptions SearchSpace, SparseCoderOptions SparseCoder, long Seed)
{
    /// <summary>The decisions of a search of a model's choices; null for the DARTS cell space (and in checkpoints written before issue 19).</summary>
    public IReadOnlyList<Decision>? Choices { get; init; }
}
