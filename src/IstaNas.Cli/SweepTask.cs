using System.Text.Json;

namespace IstaNas.Cli;

/// <summary>
/// One task of a sweep: one strategy at one seed, searched then evaluated. Each step is skipped when its
/// <c>result.json</c> says it finished, continued with <c>--resume</c> when its checkpoint exists, and started otherwise;
/// the local runner does that here, the Slurm and Kubernetes scripts do the same in bash (<see cref="TaskScript"/>).
/// Every command is a full argument list, the executable first.
/// </summary>
/// <param name="Index">0-based task index (the array index on Slurm and Kubernetes).</param>
/// <param name="Strategy">The strategy label: two-stage, one-stage, darts, random or random-ws (random with weight sharing).</param>
/// <param name="Seed">The seed of the search and of the evaluation.</param>
/// <param name="Folder">The task's folder, <c>ROOT/STRATEGY/seed-SEED</c>.</param>
/// <param name="SearchFolder">The search's output folder.</param>
/// <param name="SearchCheckpoint">The search's checkpoint (absent for random without weight sharing, which trains nothing).</param>
/// <param name="EvaluateFolder">The evaluation's output folder.</param>
/// <param name="EvaluateCheckpoint">The evaluation's checkpoint.</param>
/// <param name="Search">The command of a new search.</param>
/// <param name="SearchResume">The command that continues the search from its checkpoint.</param>
/// <param name="Evaluate">The command of a new evaluation of the searched genotype.</param>
/// <param name="EvaluateResume">The command that continues the evaluation from its checkpoint.</param>
internal sealed record SweepTask(
    int Index, string Strategy, long Seed, string Folder,
    string SearchFolder, string SearchCheckpoint, string EvaluateFolder, string EvaluateCheckpoint,
    IReadOnlyList<string> Search, IReadOnlyList<string> SearchResume, IReadOnlyList<string> Evaluate, IReadOnlyList<string> EvaluateResume)
{
    /// <summary>The next search command: null when the search finished, the resume command when its checkpoint exists, else the new one.</summary>
    public IReadOnlyList<string>? NextSearch() => Finished(SearchFolder) ? null : File.Exists(SearchCheckpoint) ? SearchResume : Search;

    /// <summary>The next evaluation command, as <see cref="NextSearch"/> decides it.</summary>
    public IReadOnlyList<string>? NextEvaluate() => Finished(EvaluateFolder) ? null : File.Exists(EvaluateCheckpoint) ? EvaluateResume : Evaluate;

    /// <summary>Whether the run in <paramref name="folder"/> finished: its <c>result.json</c> exists and says <c>"cancelled": false</c>.</summary>
    public static bool Finished(string folder)
    {
        string path = Path.Combine(folder, "result.json");
        if (!File.Exists(path)) return false;
        try
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.TryGetProperty("cancelled", out JsonElement cancelled) && cancelled.ValueKind == JsonValueKind.False;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return false;
        }
    }
}
