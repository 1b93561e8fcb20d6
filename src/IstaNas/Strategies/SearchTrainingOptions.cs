using System.ComponentModel.DataAnnotations;
using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// Training settings of the bilevel search strategies (two-stage, DARTS): <see cref="TrainingOptions"/> at the proxy
/// network's defaults plus the optimiser of the architecture parameters.
/// </summary>
public abstract class SearchTrainingOptions : TrainingOptions, IArchitectureOptimized
{
    /// <summary>The Adam optimiser of the architecture parameters.</summary>
    public ArchitectureOptimizerOptions Architecture { get; set; } = new();

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        base.Validate(validationContext).Concat(OptionsValidation.Nested(Architecture, nameof(Architecture)));
}
