using System.ComponentModel.DataAnnotations;
using IstaNas.Training;

namespace IstaNas.Evaluation;

/// <summary>
/// Settings of <see cref="EvaluationTrainer"/>: training a fixed architecture from scratch. The defaults are the DARTS
/// CIFAR-10 protocol: the target network's settings (<see cref="TargetTrainingOptions"/>: 600 epochs, batch 96, C = 36,
/// L = 20, auxiliary head weight 0.4, cutout 16, drop path 0.2 rising linearly), SGD lr 0.025 cosine to 0, momentum 0.9,
/// weight decay 3e-4, grad clip 5.
/// </summary>
public sealed class EvaluationOptions : TargetTrainingOptions
{
    /// <summary>Creates the options with the DARTS CIFAR-10 protocol's values.</summary>
    public EvaluationOptions() => LearningRateMin = 0;

    /// <summary>Append a BN to pools and the identity skip: the network form of one-stage ISTA-NAS.</summary>
    public bool BatchNormAfterParameterFree { get; set; }

    /// <summary>Caps the test minibatches per evaluation (null: the whole test set). For quick runs and tests.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxTestSteps { get; set; }

    /// <summary>Seed of the weight initialisation, the torch generator (drop path), the data order and the augmentation.</summary>
    public long Seed { get; set; }
}
