namespace IstaNas.Networks;

/// <summary>
/// The shape every DARTS-space network shares, the super-net and the evaluation network alike: initial channels C,
/// cells L (reduction cells at L/3 and 2L/3), stem width, input channels, classes and the auxiliary head.
/// </summary>
public record NetworkShape
{
    /// <summary>Initial channels C.</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Number of cells L; reduction cells sit at L/3 and 2L/3.</summary>
    public int Layers { get; init; } = 8;

    /// <summary>The stem outputs <c>StemMultiplier * Channels</c> channels. Default 3.</summary>
    public int StemMultiplier { get; init; } = 3;

    /// <summary>Channels of the input images, 1 or 3. Default 3.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Number of classes (at least 2). Default 10.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Add the auxiliary head after cell 2L/3 (its logits are computed in training only; it needs 32 x 32 images).</summary>
    public bool Auxiliary { get; init; }

    /// <summary>Checks the shape.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it and its value.</exception>
    public virtual void Validate()
    {
        NetworkValidation.AtLeast(Channels, 1, nameof(Channels));
        NetworkValidation.AtLeast(Layers, 1, nameof(Layers));
        NetworkValidation.AuxiliaryNeedsThreeCells(Auxiliary, Layers);
        NetworkValidation.AtLeast(StemMultiplier, 1, nameof(StemMultiplier));
        NetworkValidation.InputChannels(InputChannels, nameof(InputChannels));
        NetworkValidation.AtLeast(Classes, 2, nameof(Classes));
    }
}
