namespace IstaNas.Spaces.Nb201;

/// <summary>One cell's row of a NAS-Bench-201 table (accuracies in percent, as the benchmark reports them).</summary>
/// <param name="Architecture">The cell.</param>
/// <param name="ValidAccuracy">The table's <c>valid-accuracy</c>.</param>
/// <param name="TestAccuracy">The table's <c>test-accuracy</c>.</param>
/// <param name="ValidLoss">The table's <c>valid-loss</c>, or null if the file has no such column.</param>
/// <param name="TestLoss">The table's <c>test-loss</c>, or null if the file has no such column.</param>
public sealed record Nb201Record(Nb201Architecture Architecture, double ValidAccuracy, double TestAccuracy, double? ValidLoss, double? TestLoss);
