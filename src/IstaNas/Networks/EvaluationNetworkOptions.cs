using System.ComponentModel.DataAnnotations;

namespace IstaNas.Networks;

/// <summary>
/// Configuration of the evaluation network (<see cref="EvaluationNetwork"/>, DARTS <c>NetworkCIFAR</c> or
/// <c>NetworkImageNet</c>); defaults are the CIFAR-10 protocol.
/// </summary>
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

    /// <summary>
    /// DARTS' CIFAR network (the default) or its ImageNet network: two-part stem to 1/8 of the image side with C channels
    /// (<see cref="NetworkShape.StemMultiplier"/> does not apply), ImageNet auxiliary head. See <see cref="NetworkLayout"/>.
    /// </summary>
    [EnumDataType(typeof(NetworkLayout), ErrorMessage = "{0} must be Cifar or ImageNet.")]
    public NetworkLayout Layout { get; init; }

    /// <summary>Append a BN to pools and the identity skip (the one-stage form, after BN absorption). Default false.</summary>
    public bool BatchNormAfterParameterFree { get; init; }

    /// <summary>Initial drop-path probability; the network's <see cref="CellNetwork.DropPathProbability"/> can change it per epoch. Default 0.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true, ErrorMessage = "{0} must be in [0, 1).")]
    public double DropPathProbability { get; init; }

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (ValidationResult result in base.Validate(validationContext))
            yield return result;
        if (Layout == NetworkLayout.ImageNet && Channels < 2)
            yield return new ValidationResult($"Channels must be at least 2 for the ImageNet layout (its stem starts with C/2 channels), got {Channels}.", [nameof(Channels)]);
    }
}
