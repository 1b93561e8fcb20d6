using System.ComponentModel.DataAnnotations;
using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// Two-stage ISTA-NAS (docs/concepts.md, "Two-stage search"). Defaults are the authors': proxy network of 8 cells and
/// 16 channels, batch 64, 50 epochs, half of the training set for W and half for b.
/// </summary>
public sealed class TwoStageOptions : TrainingOptions, IArchitectureOptimized
{
    /// <summary>The Adam optimiser of the architecture parameters (the latent vectors b).</summary>
    public ArchitectureOptimizerOptions Architecture { get; set; } = new();

    /// <summary>Share of the training set that trains W; the rest trains b. Default 0.5.</summary>
    [Range(0.01, 0.99)]
    public double TrainPortion { get; set; } = 0.5;

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        base.Validate(validationContext).Concat(OptionsValidation.Nested(Architecture, nameof(Architecture)));
}
