using IstaNas.Evaluation.Onnx;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>The benchmark's <c>none</c> (<c>Zero</c> with C_in = C_out, stride 1): <c>x.mul(0.0)</c>, so NaNs propagate as in the reference.</summary>
internal sealed class Nb201Zero : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    public Nb201Zero() : base("Zero") { }

    public override Tensor forward(Tensor input) => input.mul(0.0);

    /// <summary>ONNX: the input times 0 (the reference's <c>x.mul(0.)</c>, which keeps NaN and infinity as they are).</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input)
    {
        string name = writer.Path(this);
        return writer.Builder.Node("Mul", name, [input, writer.Scalar(name + ".zero", 0f)]);
    }
}
