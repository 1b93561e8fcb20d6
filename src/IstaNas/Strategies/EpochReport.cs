using IstaNas.Architecture;

namespace IstaNas.Strategies;

/// <summary>What one epoch of a search or training run did.</summary>
public sealed record EpochReport
{
    /// <summary>1-based epoch.</summary>
    public required int Epoch { get; init; }

    /// <summary>Epochs planned in this phase.</summary>
    public required int Epochs { get; init; }

    /// <summary>Phase: "search", "train" (one-stage after every node froze) or "evaluate".</summary>
    public string Phase { get; init; } = "search";

    /// <summary>Learning rate of W in this epoch.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Mean training loss.</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Training top-1 accuracy (0..1).</summary>
    public required double TrainAccuracy { get; init; }

    /// <summary>Mean validation loss (two-stage: on the b split, measured in the b-steps); NaN when not measured.</summary>
    public double ValidLoss { get; init; } = double.NaN;

    /// <summary>Validation top-1 accuracy (0..1); NaN when not measured.</summary>
    public double ValidAccuracy { get; init; } = double.NaN;

    /// <summary>Validation (evaluation: test) top-5 accuracy (0..1); NaN when not measured.</summary>
    public double ValidTop5 { get; init; } = double.NaN;

    /// <summary>The genotype derived from z after this epoch's recovery (null for plain training).</summary>
    public Genotype? Genotype { get; init; }

    /// <summary>||z_new - z_old||_2 per node recovered this epoch, keyed "normal/0" .. "reduce/3".</summary>
    public IReadOnlyDictionary<string, double> ZChange { get; init; } = new Dictionary<string, double>();

    /// <summary>|z| per candidate per node after this epoch, keyed like <see cref="ZChange"/> (for plots of convergence).</summary>
    public IReadOnlyDictionary<string, double[]> ZMagnitude { get; init; } = new Dictionary<string, double[]>();

    /// <summary>Nodes that are frozen after this epoch (one-stage search), keyed like <see cref="ZChange"/>.</summary>
    public IReadOnlyList<string> FrozenNodes { get; init; } = [];

    /// <summary>Wall time of the epoch.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Time spent in the recovery of z.</summary>
    public TimeSpan RecoveryTime { get; init; }
}
