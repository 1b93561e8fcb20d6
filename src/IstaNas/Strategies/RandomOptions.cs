using System.ComponentModel.DataAnnotations;
using IstaNas.Training;

namespace IstaNas.Strategies;

/// <summary>
/// The random baseline (<see cref="RandomRun"/>). Without <see cref="WeightSharing"/> (the default) nothing trains:
/// the genotype is a seeded uniform draw of the space's sparsity, and every training option is unused. With it, the
/// sparse super-net of the two-stage search trains for <see cref="Training.TrainingOptions.Epochs"/> epochs on a uniformly
/// drawn support per step (Li and Talwalkar, 2019), then <see cref="Candidates"/> drawn genotypes are ranked by their
/// super-net validation accuracy.
/// Defaults are the two-stage proxy settings: 8 cells, 16 channels, batch 64, 50 epochs, half of the training set for W.
/// </summary>
public sealed class RandomOptions : TrainingOptions
{
    /// <summary>
    /// Train a weight-sharing super-net and return the best of <see cref="Candidates"/> genotypes by super-net accuracy
    /// (random search with weight sharing). False (the default): a seeded draw, no training.
    /// </summary>
    public bool WeightSharing { get; set; }

    /// <summary>Weight sharing: distinct genotypes drawn and ranked after training. Default 20.</summary>
    [Range(1, 100_000)]
    public int Candidates { get; set; } = 20;

    /// <summary>
    /// Weight sharing: training batches on which every BN's running statistics are recalibrated before a candidate is
    /// scored (cumulative average, no augmentation). Default 10.
    /// </summary>
    [Range(1, 100_000)]
    public int CalibrationBatches { get; set; } = 10;

    /// <summary>Weight sharing: caps the validation batches a candidate is scored on (null: the whole validation split).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxValidationBatches { get; set; }

    /// <summary>Weight sharing: share of the training set that trains W; the rest is the validation split that ranks the candidates. Default 0.5.</summary>
    [Range(0.01, 0.99)]
    public double TrainPortion { get; set; } = 0.5;
}
