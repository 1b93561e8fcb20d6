using System.ComponentModel.DataAnnotations;

namespace IstaNas.Strategies;

/// <summary>
/// Two-stage ISTA-NAS (docs/concepts.md, "Two-stage search"). Defaults are the authors': proxy network of 8 cells and
/// 16 channels, batch 64, 50 epochs, half of the training set for W and half for b.
/// </summary>
public sealed class TwoStageOptions : SearchTrainingOptions
{
    /// <summary>Share of the training set that trains W; the rest trains b. Default 0.5.</summary>
    [Range(0.01, 0.99)]
    public double TrainPortion { get; set; } = 0.5;
}
