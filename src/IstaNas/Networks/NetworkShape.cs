using System.ComponentModel.DataAnnotations;

namespace IstaNas.Networks;

/// <summary>
/// The shape every DARTS-space network shares, the super-net and the evaluation network alike: initial channels C,
/// cells L (reduction cells at L/3 and 2L/3), stem width, input channels, classes and the auxiliary head. Its rules are data
/// annotations plus <see cref="Validate(ValidationContext)"/>; a network given an invalid shape throws <see cref="ArgumentException"/>
/// naming the option.
/// </summary>
public record NetworkShape : IValidatableObject
{
    /// <summary>Initial channels C.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int Channels { get; init; } = 16;

    /// <summary>Number of cells L; reduction cells sit at L/3 and 2L/3.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int Layers { get; init; } = 8;

    /// <summary>The stem outputs <c>StemMultiplier * Channels</c> channels. Default 3.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int StemMultiplier { get; init; } = 3;

    /// <summary>Channels of the input images, 1 or 3. Default 3.</summary>
    [AllowedValues(1, 3, ErrorMessage = "{0} must be 1 or 3.")]
    public int InputChannels { get; init; } = 3;

    /// <summary>Number of classes (at least 2). Default 10.</summary>
    [Range(2, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int Classes { get; init; } = 10;

    /// <summary>Add the auxiliary head after cell 2L/3 (its logits are computed in training only; it needs 32 x 32 images).</summary>
    public bool Auxiliary { get; init; }

    /// <summary>The rules across options: the auxiliary head needs three cells.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>The failed rules.</returns>
    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The auxiliary head reads after cell 2L/3, which must be the second reduction cell (8 x 8 on 32 x 32 images);
        // with L < 3 the reductions collide and the head gets the wrong size (a native crash mid-training).
        if (Auxiliary && Layers < 3)
            yield return new ValidationResult(
                $"Layers must be at least 3 with the auxiliary head (it reads after cell 2L/3, the second reduction cell), got {Layers}.", [nameof(Layers)]);
    }
}
