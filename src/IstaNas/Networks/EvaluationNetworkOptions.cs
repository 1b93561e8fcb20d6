namespace IstaNas.Networks;

/// <summary>Configuration of the evaluation network (<see cref="EvaluationNetwork"/>, DARTS <c>NetworkCIFAR</c>); defaults are the CIFAR-10 protocol.</summary>
public sealed record EvaluationNetworkOptions
{
    /// <summary>Initial channels C. Default 36.</summary>
    public int Channels { get; init; } = 36;

    /// <summary>Number of cells L; reduction cells sit at L/3 and 2L/3. Default 20.</summary>
    public int Layers { get; init; } = 20;

    /// <summary>The stem outputs <c>StemMultiplier * Channels</c> channels. Default 3.</summary>
    public int StemMultiplier { get; init; } = 3;

    /// <summary>Add the auxiliary head after cell 2L/3 (its logits are computed in training only). Default true.</summary>
    public bool Auxiliary { get; init; } = true;

    /// <summary>Channels of the input images, 1 or 3. Default 3.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Number of classes (at least 2). Default 10.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Append a BN to pools and the identity skip (the one-stage form, after BN absorption). Default false.</summary>
    public bool BatchNormAfterParameterFree { get; init; }

    /// <summary>Initial drop-path probability; the network's <see cref="EvaluationNetwork.DropPathProbability"/> can change it per epoch. Default 0.</summary>
    public double DropPathProbability { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names the option and its value.</exception>
    public void Validate()
    {
        NetworkValidation.AtLeast(Channels, 1, nameof(Channels));
        NetworkValidation.AtLeast(Layers, 1, nameof(Layers));
        NetworkValidation.AuxiliaryNeedsThreeCells(Auxiliary, Layers);
        NetworkValidation.AtLeast(StemMultiplier, 1, nameof(StemMultiplier));
        NetworkValidation.InputChannels(InputChannels, nameof(InputChannels));
        NetworkValidation.AtLeast(Classes, 2, nameof(Classes));
        NetworkValidation.Probability(DropPathProbability, nameof(DropPathProbability));
    }
}
