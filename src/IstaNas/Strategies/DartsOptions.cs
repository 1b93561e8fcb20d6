using System.ComponentModel.DataAnnotations;
using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// First-order DARTS baseline (dense super-net with the <c>none</c> operation and softmax architecture weights).
/// Defaults are the two-stage proxy settings: 8 cells, 16 channels, batch 64, 50 epochs, half of the training set for W
/// and half for the architecture parameters.
/// </summary>
public sealed class DartsOptions : TrainingOptions, IArchitectureOptimized
{
    /// <summary>The Adam optimiser of the architecture parameters (DARTS' alpha).</summary>
    public ArchitectureOptimizerOptions Architecture { get; set; } = new();

    /// <summary>Share of the training set that trains W; the rest trains the architecture parameters. Default 0.5.</summary>
    [Range(0.01, 0.99)]
    public double TrainPortion { get; set; } = 0.5;

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        base.Validate(validationContext).Concat(OptionsValidation.Nested(Architecture, nameof(Architecture)));
}
