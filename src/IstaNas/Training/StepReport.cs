namespace IstaNas.Training;

/// <summary>Progress within an epoch, reported every few steps.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps in this epoch.</param>
/// <param name="TrainLoss">Mean training loss over the epoch so far.</param>
/// <param name="TrainAccuracy">Training top-1 (0..1) over the epoch so far.</param>
public sealed record StepReport(int Epoch, int Step, int StepsPerEpoch, double TrainLoss, double TrainAccuracy);
