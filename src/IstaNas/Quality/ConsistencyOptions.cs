using System.ComponentModel.DataAnnotations;
using IstaNas.Evaluation;
using IstaNas.Validation;

namespace IstaNas.Quality;

/// <summary>
/// Settings of a <see cref="ConsistencyStudy"/>: how many architectures, how each is scored in the super-net, and the
/// stand-alone training budget. Validated by data annotations when the study is created; <see cref="StandAlone"/>
/// is validated as <see cref="EvaluationOptions"/> (see <see cref="Validate(ValidationContext)"/>).
/// </summary>
public sealed class ConsistencyOptions : IValidatableObject
{
    /// <summary>Distinct architectures sampled (uniformly, seeded by <see cref="Seed"/>) and trained stand-alone. Default 10.</summary>
    [Range(2, 100_000)]
    public int Architectures { get; set; } = 10;

    /// <summary>Seed of the architecture sample. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Training batches on which the BN statistics are recalibrated before each super-net score. Default 10.</summary>
    [Range(1, 100_000)]
    public int CalibrationBatches { get; set; } = 10;

    /// <summary>Caps the validation batches of each super-net score (null: the super-net's whole validation split).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxValidationBatches { get; set; }

    /// <summary>Minibatch size of the super-net scoring (calibration and validation). Default 64.</summary>
    [Range(1, 65_536)]
    public int ScoringBatchSize { get; set; } = 64;

    /// <summary>
    /// The stand-alone training of every architecture (<see cref="EvaluationTrainer"/>): a small budget, the same for all.
    /// Its <see cref="Training.TrainingOptions.CheckpointDirectory"/> is replaced by one folder per architecture under
    /// <see cref="WorkDirectory"/>. Default: the evaluation defaults with 10 epochs, C = 16, L = 8, batch 64, no auxiliary head.
    /// </summary>
    [Required]
    public EvaluationOptions StandAlone { get; set; } = new() { Epochs = 10, Channels = 16, Layers = 8, BatchSize = 64, Auxiliary = false };

    /// <summary>
    /// Folder of the stand-alone runs (<c>arch-000</c>, <c>arch-001</c> ...: each with its checkpoint and
    /// <c>standalone.json</c>), so that a study run again skips the architectures it finished and continues the one it
    /// was training. Null: no files, nothing to continue.
    /// </summary>
    public string? WorkDirectory { get; set; }

    /// <summary>The stand-alone training's own rules (<see cref="EvaluationOptions"/>), its options named <c>StandAlone.…</c>.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>The failed rules.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => OptionsValidation.Nested(StandAlone, nameof(StandAlone));
}
