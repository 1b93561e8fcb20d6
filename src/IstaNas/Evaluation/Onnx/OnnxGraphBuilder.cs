using System.Runtime.InteropServices;
using Google.Protobuf;
using TorchSharp;

namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// Appends nodes and initializers to an ONNX graph, keeping every value name unique: a node's output value takes
/// the node's name (a module path such as <c>cells.3.ops.1.pointwise2</c>), with a numeric suffix on a repeat.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Starts a graph whose inputs are already named (so that no node output takes their names).</summary>
    /// <param name="name">The graph name.</param>
    /// <param name="reserved">Names already in use: the graph inputs and outputs.</param>
    public OnnxGraphBuilder(string name, params string[] reserved)
    {
        Graph = new GraphProto { Name = name };
        foreach (string r in reserved) _names.Add(r);
    }

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph { get; }

    /// <summary>Whether <paramref name="name"/> is a value of the graph so far: a graph input or output, an initializer or a node's output.</summary>
    /// <param name="name">A value name.</param>
    /// <returns>Whether the name is in use.</returns>
    public bool Has(string name) => _names.Contains(name);

    /// <summary>Adds a float32 initializer holding a copy of <paramref name="tensor"/> (any device and floating type).</summary>
    /// <param name="name">The initializer name (made unique).</param>
    /// <param name="tensor">The values.</param>
    /// <param name="docString">What the initializer holds, when it is not plainly the named parameter.</param>
    /// <returns>The initializer's name.</returns>
    public string Float(string name, torch.Tensor tensor, string? docString = null)
    {
        float[] values;
        using (torch.NewDisposeScope())
        {
            // Tensors made here are disposed with the scope; the caller's tensor is not.
            values = tensor.detach().to(torch.float32, torch.CPU).contiguous().data<float>().ToArray();
        }

        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                throw new InvalidOperationException($"The ONNX initializer '{name}' would hold a non-finite value ({v}); the network's weights or BN statistics are broken.");
        }

        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(tensor.shape);
        proto.RawData = ByteString.CopyFrom(LittleEndian(values));
        if (docString is not null) proto.DocString = docString;
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a 1-D int64 initializer (such as the starts and ends of a Slice).</summary>
    /// <param name="name">The initializer name (made unique).</param>
    /// <param name="values">The values.</param>
    /// <returns>The initializer's name.</returns>
    public string Int64(string name, params long[] values)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a node with one output, named after the node.</summary>
    /// <param name="opType">The standard operator, such as "Conv".</param>
    /// <param name="name">The node name (made unique); also the output value's name.</param>
    /// <param name="inputs">The input value names.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The output value's name.</returns>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string unique = Unique(name);
        return Add(opType, unique, unique, inputs, attributes);
    }

    /// <summary>Adds a node whose output has a reserved name (a graph output such as "logits").</summary>
    /// <param name="opType">The standard operator.</param>
    /// <param name="name">The node name (made unique).</param>
    /// <param name="output">The output value name, reserved in the constructor.</param>
    /// <param name="inputs">The input value names.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns><paramref name="output"/>.</returns>
    public string NodeWithOutput(string opType, string name, string output, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Add(opType, Unique(name), output, inputs, attributes);

    /// <summary>Sets the documentation of the node added last.</summary>
    /// <param name="docString">The text.</param>
    public void DocumentLastNode(string docString) => Graph.Node[^1].DocString = docString;

    /// <summary>An INT attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A FLOAT attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A TENSOR attribute holding one float32 value (ConstantOfShape's <c>value</c>).</summary>
    public static AttributeProto FloatScalarTensor(string name, float value)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(1);
        t.RawData = ByteString.CopyFrom(LittleEndian([value]));
        return new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = t };
    }

    private string Add(string opType, string name, string output, IEnumerable<string> inputs, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    private string Unique(string name)
    {
        if (_names.Add(name)) return name;
        for (int i = 1; ; i++)
        {
            string candidate = $"{name}_{i}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    private static byte[] LittleEndian(float[] values)
    {
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
        }

        return bytes;
    }
}
