namespace IstaNas.Networks;

/// <summary>Configuration of the evaluation network (<see cref="EvaluationNetwork"/>, DARTS <c>NetworkCIFAR</c>); defaults are the CIFAR-10 protocol.</summary>
public sealed record EvaluationNetworkOptions : NetworkShape
{
    /// <summary>The CIFAR-10 protocol's network: C = 36, L = 20, auxiliary head.</summary>
    public EvaluationNetworkOptions()
    {
        Channels = 36;
        Layers = 20;
        Auxiliary = true;
    }

    /// <summary>A network of the given shape.</summary>
    /// <param name="shape">Channels, cells, stem, input channels, classes, auxiliary head.</param>
    public EvaluationNetworkOptions(NetworkShape shape)
        : base(shape ?? throw new ArgumentNullException(nameof(shape)))
    {
    }

    /// <summary>Append a BN to pools and the identity skip (the one-stage form, after BN absorption). Default false.</summary>
    public bool BatchNormAfterParameterFree { get; init; }

    /// <summary>Initial drop-path probability; the network's <see cref="CellNetwork.DropPathProbability"/> can change it per epoch. Default 0.</summary>
    public double DropPathProbability { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        NetworkValidation.Probability(DropPathProbability, nameof(DropPathProbability));
    }
}
