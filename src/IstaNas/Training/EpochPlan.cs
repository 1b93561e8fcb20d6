namespace IstaNas.Training;

/// <summary>What a run decided for one epoch before its first step.</summary>
/// <param name="Phase">Search, training or evaluation.</param>
/// <param name="LearningRate">Learning rate of W (already applied to the optimiser).</param>
/// <param name="DropPathProbability">Drop-path probability (already applied to the network).</param>
/// <param name="PlannedEpochs">Epochs planned in all, for reports (see <see cref="EpochReport.Epochs"/>).</param>
internal sealed record EpochPlan(TrainingPhase Phase, double LearningRate, double DropPathProbability, int PlannedEpochs);
