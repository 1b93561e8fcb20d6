namespace IstaNas.Cli;

/// <summary>One task of a sweep as <c>aggregate</c> found it on disk.</summary>
/// <param name="Strategy">The strategy label.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Folder">The task's folder relative to the sweep's.</param>
/// <param name="Status">finished, search not started, search unfinished, search cancelled, evaluation not started, evaluation unfinished, evaluation cancelled, or unreadable: why.</param>
/// <param name="TestAccuracy">Test top-1 (0..1) of the evaluation; NaN unless finished.</param>
/// <param name="SearchSeconds">Search time: the sum of its epochs' wall times (resumed runs included), or, for a search without epochs, its elapsed time; NaN when unknown.</param>
/// <param name="EvaluationSeconds">Evaluation time: the sum of its epochs' wall times; NaN when unknown.</param>
/// <param name="Parameters">Parameters of the evaluated network (without the auxiliary head); null when unknown.</param>
/// <param name="TableAccuracy">The benchmark table's test accuracy (percent) of the searched architecture (search --table); NaN when the search has none.</param>
internal sealed record SweepRun(
    string Strategy, long Seed, string Folder, string Status, double TestAccuracy, double SearchSeconds, double EvaluationSeconds, long? Parameters,
    double TableAccuracy = double.NaN)
{
    /// <summary>The status of a run whose search and evaluation both finished.</summary>
    public const string FinishedStatus = "finished";

    /// <summary>Whether search and evaluation finished.</summary>
    public bool Finished => Status == FinishedStatus;
}
