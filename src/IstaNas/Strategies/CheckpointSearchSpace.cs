using IstaNas.Checkpoints;
using IstaNas.SearchSpace;

namespace IstaNas.Strategies;

/// <summary>The search space inside a search checkpoint.</summary>
internal static class CheckpointSearchSpace
{
    /// <summary>Restores a search space from a checkpoint value; a state that does not fit is a <see cref="CheckpointException"/>.</summary>
    public static void LoadSearchSpace(this Checkpoint checkpoint, string name, ICompressedSearchSpace space)
    {
        SearchSpaceState state;
        try
        {
            state = checkpoint.Metadata.GetValue<SearchSpaceState>(name);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or System.Text.Json.JsonException)
        {
            throw new CheckpointException(checkpoint.Path, $"its search space is missing or unreadable: {ex.Message}", ex);
        }

        try
        {
            space.LoadState(state);
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException(checkpoint.Path, ex.Message, ex);
        }
    }
}
