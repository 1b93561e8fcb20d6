using IstaNas.IO;
using TorchSharp;
using Tensor = TorchSharp.torch.Tensor;

namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// Writes a fixed model of any space as an ONNX model (opset 13, IR version 7) computing its evaluation-mode function:
/// input <c>input</c> float32 [batch, …sample shape] with a symbolic batch dimension, output <c>logits</c> float32
/// [batch, …]. The graph is read from the model's modules by <see cref="ModuleGraphWriter"/> (what exports is listed there
/// and in docs/data.md); node and initializer names are the module paths.
/// </summary>
internal static class ModuleOnnxExporter
{
    /// <summary>Name of the graph input.</summary>
    public const string InputName = "input";

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model (any mode, any device; left unchanged).</param>
    /// <param name="sampleShape">The shape of one input sample, such as [C, T] or [C, H, W].</param>
    /// <param name="path">The .onnx file; its directory is created when missing.</param>
    /// <param name="settings">Documentation and metadata; null for none (the image size and folding settings do not apply).</param>
    /// <exception cref="NotSupportedException">The model holds a module the exporter does not know (the message names its path and type).</exception>
    public static void Export(torch.nn.Module<Tensor, Tensor> model, IReadOnlyList<int> sampleShape, string path, OnnxExportSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ModelProto proto = Build(model, sampleShape, settings);
        AtomicFile.Write(path, stream =>
        {
            using var output = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true);
            proto.WriteTo(output);
            output.Flush();
        });
    }

    /// <summary>Builds the model in memory.</summary>
    /// <param name="model">The model (any mode, any device; left unchanged).</param>
    /// <param name="sampleShape">The shape of one input sample.</param>
    /// <param name="settings">Documentation and metadata; null for none.</param>
    /// <returns>The ONNX model.</returns>
    /// <exception cref="NotSupportedException">The model holds a module the exporter does not know.</exception>
    public static ModelProto Build(torch.nn.Module<Tensor, Tensor> model, IReadOnlyList<int> sampleShape, OnnxExportSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d < 1))
            throw new ArgumentException($"The sample shape must have at least one dimension, each at least 1; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        settings ??= new OnnxExportSettings();
        var builder = new OnnxGraphBuilder(model.GetName(), InputName, OnnxExporter.OutputName);
        using (torch.no_grad())
        {
            string result = new ModuleGraphWriter(model, builder).Write(model, InputName);
            builder.NodeWithOutput("Identity", "output", OnnxExporter.OutputName, [result]);
        }

        long[] outputShape = OutputShape(model, sampleShape);

        GraphProto graph = builder.Graph;
        if (settings.DocString is not null) graph.DocString = settings.DocString;
        graph.Input.Add(OnnxExporter.TensorValue(InputName, settings.InputDocString,
            [OnnxExporter.Symbolic("batch"), .. sampleShape.Select(d => OnnxExporter.Fixed(d))]));
        graph.Output.Add(OnnxExporter.TensorValue(OnnxExporter.OutputName, "Unnormalised class scores; softmax over axis 1 gives the class probabilities.",
            [OnnxExporter.Symbolic("batch"), .. outputShape.Skip(1).Select(OnnxExporter.Fixed)]));
        var proto = new ModelProto
        {
            IrVersion = OnnxExporter.IrVersion,
            ProducerName = "IstaNas",
            ProducerVersion = OnnxExporter.ProducerVersion(),
            Graph = graph,
        };
        if (settings.DocString is not null) proto.DocString = settings.DocString;
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.OpsetVersion });
        foreach (var (key, value) in settings.Metadata)
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>The output shape of one sample of zeros in evaluation mode (the model's mode is given back).</summary>
    private static long[] OutputShape(torch.nn.Module<Tensor, Tensor> model, IReadOnlyList<int> sampleShape)
    {
        bool training = model.training;
        try
        {
            model.eval();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            torch.Device device = model.parameters().FirstOrDefault()?.device ?? torch.CPU;
            return model.call(torch.zeros([1, .. sampleShape.Select(d => (long)d)], device: device)).shape;
        }
        finally
        {
            model.train(training);
        }
    }
}
