namespace IstaNas.Training;

/// <summary>What the loop hands back to its run.</summary>
/// <param name="History">One report per completed epoch, from the start of the run (resumed runs included).</param>
/// <param name="Cancelled">Whether cancellation stopped the run.</param>
/// <param name="CheckpointPath">The checkpoint file last written, or null.</param>
/// <param name="Elapsed">Wall time of this call.</param>
internal sealed record TrainingOutcome(IReadOnlyList<EpochReport> History, bool Cancelled, string? CheckpointPath, TimeSpan Elapsed);
