namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// The ONNX export hook of a model with its own <c>forward</c>: TorchSharp cannot trace C# code, so a module whose
/// forward is more than a <c>Sequential</c> (for example one that calls a
/// <see cref="Choices.Choice.OverInputs"/> choice on several earlier values) implements this to describe its
/// evaluation-mode forward as ONNX nodes, writing its children through the <see cref="OnnxForwardWriter"/>
/// (docs/search-spaces.md, "Exporting your own forward").
/// </summary>
public interface IOnnxForward
{
    /// <summary>Emits the nodes that compute this module's evaluation-mode forward of <paramref name="input"/>.</summary>
    /// <param name="writer">Writes child modules, fixed choices and elementwise operations.</param>
    /// <param name="input">Name of the input value.</param>
    /// <returns>Name of the output value (a name returned by a method of <paramref name="writer"/>, or <paramref name="input"/>).</returns>
    string WriteOnnx(OnnxForwardWriter writer, string input);
}
