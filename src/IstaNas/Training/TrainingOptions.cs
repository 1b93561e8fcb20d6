using System.ComponentModel.DataAnnotations;

namespace IstaNas.Training;

/// <summary>
/// Settings every run on the training loop shares: network size, the SGD on the weights W with its cosine schedule,
/// augmentation, a cap on steps, checkpoints. The search strategies and the evaluation trainer extend it (the target
/// network's through <see cref="TargetTrainingOptions"/>); their defaults differ.
/// </summary>
public abstract class TrainingOptions : IValidatableObject
{
    /// <summary>
    /// Epochs: of search (two-stage, DARTS), of training once every node is frozen (one-stage), of training (evaluation).
    /// </summary>
    [Range(1, 100_000)]
    public int Epochs { get; set; } = 50;

    /// <summary>Minibatch size.</summary>
    [Range(1, 65_536)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Initial channels C of the network.</summary>
    [Range(1, 4096)]
    public int Channels { get; set; } = 16;

    /// <summary>Cells L of the network (reduction cells at L/3 and 2L/3); at least 3, or the reductions collide and the normal cell never trains.</summary>
    [Range(3, 1000, ErrorMessage = "{0} must be between {1} and {2}: the reduction cells sit at L/3 and 2L/3, and with fewer than 3 cells they collide and no normal cell is trained.")]
    public int Layers { get; set; } = 8;

    /// <summary>Stem channels = StemMultiplier * C.</summary>
    [Range(1, 64)]
    public int StemMultiplier { get; set; } = 3;

    /// <summary>Initial learning rate of the SGD on the network weights W (cosine-annealed to <see cref="LearningRateMin"/>).</summary>
    [Range(1e-12, 100.0)]
    public double LearningRate { get; set; } = 0.025;

    /// <summary>Final learning rate of the cosine schedule.</summary>
    [Range(0.0, 100.0)]
    public double LearningRateMin { get; set; } = 0.001;

    /// <summary>SGD momentum.</summary>
    [Range(0.0, 0.999999)]
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD weight decay on W.</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; set; } = 3e-4;

    /// <summary>Gradient-norm clip on W (0 disables clipping).</summary>
    [Range(0.0, 1e6)]
    public double GradClip { get; set; } = 5;

    /// <summary>Random crop (padding 4) and horizontal flip on training batches.</summary>
    public bool Augment { get; set; } = true;

    /// <summary>Cutout on training batches (one square of <see cref="CutoutLength"/> zeroed).</summary>
    public bool Cutout { get; set; }

    /// <summary>Side of the cutout square.</summary>
    [Range(1, 1024)]
    public int CutoutLength { get; set; } = 16;

    /// <summary>Caps the minibatches per epoch (null: the whole split). For quick runs and tests.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxStepsPerEpoch { get; set; }

    /// <summary>Directory for a checkpoint after every epoch (and on cancellation); null disables checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <inheritdoc />
    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LearningRateMin > LearningRate)
            yield return new ValidationResult(
                $"LearningRateMin ({LearningRateMin}) exceeds LearningRate ({LearningRate}).", [nameof(LearningRateMin)]);
    }

}
