namespace IstaNas.Cli;

/// <summary>The finished runs of one strategy of a sweep: mean, sample standard deviation (n - 1; NaN for one run) and extremes.</summary>
/// <param name="Strategy">The strategy label.</param>
/// <param name="Runs">Runs planned (or found).</param>
/// <param name="Finished">Runs whose search and evaluation finished; the statistics cover these.</param>
/// <param name="TestAccuracy">Test top-1 (0..1).</param>
/// <param name="SearchSeconds">Search time in seconds.</param>
/// <param name="EvaluationSeconds">Evaluation time in seconds.</param>
/// <param name="Parameters">Parameters of the evaluated networks.</param>
/// <param name="TableAccuracy">The benchmark table's test accuracy (percent) of the searched architectures, over the searches that have one.</param>
internal sealed record StrategySummary(
    string Strategy, int Runs, int Finished, Statistic TestAccuracy, Statistic SearchSeconds, Statistic EvaluationSeconds, Statistic Parameters, Statistic TableAccuracy);
