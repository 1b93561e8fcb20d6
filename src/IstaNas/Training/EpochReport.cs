using System.Text.Json.Serialization;
using IstaNas.Architecture;

namespace IstaNas.Training;

/// <summary>
/// What one epoch of a search or training run did. The same record, with the same JSON names (camelCase; NaN as null;
/// durations in seconds), serves progress reports, the history in checkpoints and result files, and the CLI's
/// <c>--json</c> events. Accuracies are fractions in [0, 1].
/// </summary>
public sealed record EpochReport
{
    /// <summary>1-based epoch.</summary>
    public required int Epoch { get; init; }

    /// <summary>
    /// Epochs planned in all. One-stage search: exact once the architecture is fixed; while nodes search, the search cap
    /// plus the training epochs, or (without a cap) a lower bound that grows with every search epoch.
    /// </summary>
    public required int Epochs { get; init; }

    /// <summary>Search, one-stage training, or evaluation.</summary>
    public TrainingPhase Phase { get; init; } = TrainingPhase.Search;

    /// <summary>Learning rate of the network weights W in this epoch.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Drop-path probability in this epoch (0 when off).</summary>
    public double DropPathProbability { get; init; }

    /// <summary>Training steps (minibatches) of the epoch.</summary>
    public int Steps { get; init; }

    /// <summary>Mean training loss (the W-step's loss, without the auxiliary term).</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Training top-1 accuracy (0..1).</summary>
    public required double TrainAccuracy { get; init; }

    /// <summary>
    /// Mean loss on the architecture's validation split, measured in the architecture steps (two-stage search and
    /// DARTS: the half of the training set that trains b or alpha); NaN when the run has none.
    /// </summary>
    public double ValidLoss { get; init; } = double.NaN;

    /// <summary>Top-1 accuracy (0..1) on the validation split; NaN when the run has none.</summary>
    public double ValidAccuracy { get; init; } = double.NaN;

    /// <summary>Mean loss on the test set after the epoch (evaluation mode, no augmentation); NaN when not measured.</summary>
    public double TestLoss { get; init; } = double.NaN;

    /// <summary>Top-1 accuracy (0..1) on the test set; NaN when not measured.</summary>
    public double TestAccuracy { get; init; } = double.NaN;

    /// <summary>Top-5 accuracy (0..1) on the test set; NaN when not measured.</summary>
    public double TestTop5 { get; init; } = double.NaN;

    /// <summary>The genotype after this epoch (search strategies); null for plain training.</summary>
    public Genotype? Genotype { get; init; }

    /// <summary>||z_new - z_old||_2 per node recovered this epoch, keyed "normal/0" .. "reduce/3".</summary>
    public IReadOnlyDictionary<string, double> ZChange { get; init; } = new Dictionary<string, double>();

    /// <summary>|z| per candidate per node after this epoch, keyed like <see cref="ZChange"/>.</summary>
    public IReadOnlyDictionary<string, double[]> ZMagnitude { get; init; } = new Dictionary<string, double[]>();

    /// <summary>Nodes frozen after this epoch (one-stage search), keyed like <see cref="ZChange"/>.</summary>
    public IReadOnlyList<string> FrozenNodes { get; init; } = [];

    /// <summary>Wall time of the epoch.</summary>
    [JsonPropertyName("elapsedSeconds")]
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Time spent in the recovery of z.</summary>
    [JsonPropertyName("recoverySeconds")]
    public TimeSpan RecoveryTime { get; init; }
}
