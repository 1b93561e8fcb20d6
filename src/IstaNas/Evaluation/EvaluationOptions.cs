using System.ComponentModel.DataAnnotations;
using IstaNas.Training;

namespace IstaNas.Evaluation;

/// <summary>
/// Settings of <see cref="EvaluationTrainer"/>: training a fixed architecture from scratch. The defaults are the DARTS
/// CIFAR-10 protocol (algorithm.md section 4): 600 epochs, batch 96, SGD lr 0.025 cosine to 0, momentum 0.9,
/// weight decay 3e-4, grad clip 5, C = 36, L = 20, auxiliary head (weight 0.4), cutout 16, drop path 0.2 rising
/// linearly. Validated by data annotations (<see cref="OptionsValidation"/>).
/// </summary>
public sealed class EvaluationOptions : TrainingOptions
{
    /// <summary>Creates the options with the DARTS CIFAR-10 protocol's values.</summary>
    public EvaluationOptions()
    {
        Epochs = 600;
        BatchSize = 96;
        Channels = 36;
        Layers = 20;
        LearningRateMin = 0;
        Cutout = true;
    }

    /// <summary>Train with the auxiliary head after cell 2L/3 (needs 32 x 32 images).</summary>
    public bool Auxiliary { get; set; } = true;

    /// <summary>Weight of the auxiliary loss.</summary>
    [Range(0.0, 100.0)]
    public double AuxiliaryWeight { get; set; } = 0.4;

    /// <summary>Final drop-path probability; epoch <c>e</c> (0-based) of <c>E</c> uses <c>p * e / E</c> as in DARTS.</summary>
    [Range(0.0, 0.999)]
    public double DropPathProbability { get; set; } = 0.2;

    /// <summary>Append a BN to pools and the identity skip: the network form of one-stage ISTA-NAS.</summary>
    public bool BatchNormAfterParameterFree { get; set; }

    /// <summary>Caps the test minibatches per evaluation (null: the whole test set). For quick runs and tests.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxTestSteps { get; set; }

    /// <summary>Seed of the weight initialisation, the torch generator (drop path), the data order and the augmentation.</summary>
    public long Seed { get; set; }
}
