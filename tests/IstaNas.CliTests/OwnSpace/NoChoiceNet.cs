using static TorchSharp.torch;

namespace IstaNas.Tests.OwnSpace;

/// <summary>A model without choices: <c>--space</c> with it is refused with the library's message.</summary>
public sealed class NoChoiceNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10));

    /// <summary>Builds the model.</summary>
    public NoChoiceNet()
        : base(nameof(NoChoiceNet)) => RegisterComponents();

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => net.call(x);
}
