using IstaNas.Choices;
using static TorchSharp.torch;

namespace IstaNas.Tests.OwnSpace;

/// <summary>A model with choices but no parameterless constructor: <c>--space</c> with it says so.</summary>
public sealed class SizedNet : nn.Module<Tensor, Tensor>
{
    private readonly Choice block;

    /// <summary>Builds the model for a width.</summary>
    /// <param name="channels">The width.</param>
    public SizedNet(int channels)
        : base(nameof(SizedNet))
    {
        block = Choice.Of("block", picks: 1, nn.Conv2d(channels, channels, 3, padding: 1), nn.Identity());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => block.call(x);
}
