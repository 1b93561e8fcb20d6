using static TorchSharp.torch;

namespace IstaNas.Tests.OwnSpace;

/// <summary>A model whose constructor throws: <c>--space</c> with it fails with the constructor's message.</summary>
public sealed class ThrowingNet : nn.Module<Tensor, Tensor>
{
    /// <summary>Throws.</summary>
    public ThrowingNet()
        : base(nameof(ThrowingNet)) => throw new InvalidOperationException("ThrowingNet needs a config file that is not there");

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => x;
}
