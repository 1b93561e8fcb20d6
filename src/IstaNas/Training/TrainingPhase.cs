namespace IstaNas.Training;

/// <summary>What an epoch of a run did.</summary>
public enum TrainingPhase
{
    /// <summary>Architecture search (two-stage, DARTS, or one-stage while nodes search).</summary>
    Search = 0,

    /// <summary>One-stage search after every node froze: training the fixed architecture.</summary>
    Train = 1,

    /// <summary>Training a fixed genotype from scratch (the evaluation trainer).</summary>
    Evaluate = 2,
}
