namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// The extension point of <see cref="ModuleGraphWriter"/>: a module that is not a plain TorchSharp layer (a built-in
/// space's block, such as an inverted residual with its residual add, a NAS-Bench-201 cell or a ResNet basic block)
/// implements this to give its own ONNX mapping, writing its children through the writer.
/// </summary>
internal interface IOnnxExportable
{
    /// <summary>Emits the nodes that compute this module's evaluation-mode forward of <paramref name="input"/>.</summary>
    /// <param name="writer">The writer: <see cref="ModuleGraphWriter.Write"/> exports a child module, <see cref="ModuleGraphWriter.Builder"/> adds nodes.</param>
    /// <param name="input">Name of the input value.</param>
    /// <returns>Name of the output value.</returns>
    string WriteOnnx(ModuleGraphWriter writer, string input);
}
