using System.ComponentModel.DataAnnotations;

namespace IstaNas.Evaluation;

/// <summary>
/// Settings of <see cref="EvaluationTrainer"/>: training a fixed architecture from scratch. The defaults are the DARTS
/// CIFAR-10 protocol (algorithm.md section 4): 600 epochs, batch 96, SGD lr 0.025 cosine to 0, momentum 0.9,
/// weight decay 3e-4, grad clip 5, C = 36, L = 20, auxiliary head (weight 0.4), cutout 16, drop path 0.2 rising
/// linearly. Validated by data annotations (<see cref="OptionsValidation"/>).
/// </summary>
public sealed class EvaluationOptions : IValidatableObject
{
    /// <summary>Training epochs.</summary>
    [Range(1, 100_000)]
    public int Epochs { get; set; } = 600;

    /// <summary>Minibatch size (training and test).</summary>
    [Range(1, 65_536)]
    public int BatchSize { get; set; } = 96;

    /// <summary>Initial SGD learning rate, cosine-annealed (per epoch) to <see cref="LearningRateMin"/>.</summary>
    [Range(1e-12, 100.0)]
    public double LearningRate { get; set; } = 0.025;

    /// <summary>Final learning rate of the cosine schedule (DARTS: 0).</summary>
    [Range(0.0, 100.0)]
    public double LearningRateMin { get; set; }

    /// <summary>SGD momentum.</summary>
    [Range(0.0, 0.999999)]
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD weight decay.</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; set; } = 3e-4;

    /// <summary>Gradient-norm clip (0 disables clipping).</summary>
    [Range(0.0, 1e6)]
    public double GradClip { get; set; } = 5;

    /// <summary>Initial channels C.</summary>
    [Range(1, 4096)]
    public int Channels { get; set; } = 36;

    /// <summary>Cells L (reductions at L/3 and 2L/3).</summary>
    [Range(1, 1000)]
    public int Layers { get; set; } = 20;

    /// <summary>The stem outputs <c>StemMultiplier * C</c> channels.</summary>
    [Range(1, 64)]
    public int StemMultiplier { get; set; } = 3;

    /// <summary>Train with the auxiliary head after cell 2L/3 (needs 32 x 32 images).</summary>
    public bool Auxiliary { get; set; } = true;

    /// <summary>Weight of the auxiliary loss.</summary>
    [Range(0.0, 100.0)]
    public double AuxiliaryWeight { get; set; } = 0.4;

    /// <summary>Random crop (padding 4) and horizontal flip on training batches.</summary>
    public bool Augment { get; set; } = true;

    /// <summary>Cutout on training batches.</summary>
    public bool Cutout { get; set; } = true;

    /// <summary>Side of the cutout square.</summary>
    [Range(1, 1024)]
    public int CutoutLength { get; set; } = 16;

    /// <summary>Final drop-path probability; epoch <c>e</c> (0-based) of <c>E</c> uses <c>p * e / E</c> as in DARTS.</summary>
    [Range(0.0, 0.999)]
    public double DropPathProbability { get; set; } = 0.2;

    /// <summary>Append a BN to pools and the identity skip: the network form of one-stage ISTA-NAS.</summary>
    public bool BatchNormAfterParameterFree { get; set; }

    /// <summary>Caps the training minibatches per epoch (null: the whole training set). For quick runs and tests.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxStepsPerEpoch { get; set; }

    /// <summary>Caps the test minibatches per evaluation (null: the whole test set). For quick runs and tests.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxTestSteps { get; set; }

    /// <summary>Seed of the weight initialisation, the torch generator (drop path), the data order and the augmentation.</summary>
    public long Seed { get; set; }

    /// <summary>Directory for <c>evaluation.ckpt</c>, written after every epoch and on cancellation; null disables checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LearningRateMin > LearningRate)
            yield return new ValidationResult($"LearningRateMin ({LearningRateMin}) exceeds LearningRate ({LearningRate}).", [nameof(LearningRateMin)]);
    }
}
