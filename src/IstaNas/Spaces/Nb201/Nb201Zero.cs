using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>The benchmark's <c>none</c> (<c>Zero</c> with C_in = C_out, stride 1): <c>x.mul(0.0)</c>, so NaNs propagate as in the reference.</summary>
internal sealed class Nb201Zero : nn.Module<Tensor, Tensor>
{
    public Nb201Zero() : base("Zero") { }

    public override Tensor forward(Tensor input) => input.mul(0.0);
}
