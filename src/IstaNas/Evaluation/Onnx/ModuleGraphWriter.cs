using IstaNas.Choices;
using TorchSharp;
using TorchSharp.Modules;
using Tensor = TorchSharp.torch.Tensor;

namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// Maps a model built from plain TorchSharp modules to ONNX nodes, module by module, in the order a
/// <see cref="Sequential"/> runs them. A TorchSharp model's <c>forward</c> is compiled code that cannot be traced, so
/// only structure the writer can read exports: <see cref="Sequential"/>; Conv1d and Conv2d (zero padding, not
/// transposed); BatchNorm1d and BatchNorm2d with running statistics; ReLU; ReLU6; Linear; Identity; Flatten (from dimension 1
/// to the end); AdaptiveAvgPool1d/2d to size 1; AvgPool1d/2d and MaxPool1d/2d; Dropout (identity in evaluation); a fixed
/// <see cref="Choice"/> (the sum of its picks' outputs, each times its constant scale if it has one, then its normalisation); and any module implementing
/// <see cref="IOnnxExportable"/> or <see cref="IOnnxForward"/>. Anything else throws a <see cref="NotSupportedException"/> naming the module's path and type.
/// </summary>
internal sealed class ModuleGraphWriter
{
    private readonly Dictionary<torch.nn.Module, string> _paths = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates a writer for the modules of <paramref name="root"/>.</summary>
    /// <param name="root">The model; its module paths name the nodes and initializers.</param>
    /// <param name="builder">The graph being written.</param>
    public ModuleGraphWriter(torch.nn.Module root, OnnxGraphBuilder builder)
    {
        foreach (var (name, module) in root.named_modules())
            _paths.TryAdd(module, name);
        _paths.TryAdd(root, "");
        Builder = builder;
    }

    /// <summary>The graph being written.</summary>
    public OnnxGraphBuilder Builder { get; }

    /// <summary>The path of a module in the model ("" for the model itself), which names its nodes.</summary>
    /// <param name="module">A module of the model.</param>
    /// <returns>The path.</returns>
    public string Path(torch.nn.Module module) =>
        _paths.TryGetValue(module, out string? path) ? path : throw new InvalidOperationException($"A {module.GetType().Name} module is not registered in the model.");

    /// <summary>Emits the evaluation-mode forward of <paramref name="module"/> on <paramref name="x"/>.</summary>
    /// <param name="module">A module of the model.</param>
    /// <param name="x">Name of the input value.</param>
    /// <returns>Name of the output value.</returns>
    /// <exception cref="NotSupportedException">The module (or one inside it) has no known mapping.</exception>
    public string Write(torch.nn.Module<Tensor, Tensor> module, string x)
    {
        string path = Path(module);
        string name = path.Length == 0 ? "model" : path;
        switch (module)
        {
            case IOnnxExportable own:
                return own.WriteOnnx(this, x);
            case IOnnxForward forward:
                return forward.WriteOnnx(new OnnxForwardWriter(this, name), x);
            case Sequential sequential:
                foreach (torch.nn.Module child in sequential.children())
                    x = Write(AsLayer(child, path), x);
                return x;
            case Choice choice when choice.HasInputs:
                throw new NotSupportedException($"Choice '{choice.Name}' ('{path}') reads several inputs; the module whose forward calls it must implement " +
                    $"{typeof(IOnnxForward).FullName} and write it with {nameof(OnnxForwardWriter)}.Write(choice, inputs).");
            case Choice choice:
                return WriteChoice(choice, [x]);
            case Conv1d or Conv2d:
                return Convolution((Convolution)module, module is Conv1d ? 1 : 2, name, x);
            case BatchNorm1d or BatchNorm2d:
                return BatchNormalization((BatchNorm)module, name, x);
            case ReLU:
                return Builder.Node("Relu", name, [x]);
            case ReLU6:
                return Builder.Node("Clip", name, [x, Scalar(name + ".min", 0f), Scalar(name + ".max", 6f)]);
            case Linear linear:
                return Dense(linear, name, x);
            case Identity or Dropout or Dropout1d or Dropout2d:
                return x;
            case Flatten flatten:
                if (flatten.start_dim != 1 || flatten.end_dim != -1)
                    throw new NotSupportedException($"ONNX export supports Flatten from dimension 1 to the end only; '{name}' flattens {flatten.start_dim}..{flatten.end_dim}.");
                return Builder.Node("Flatten", name, [x], OnnxGraphBuilder.Int("axis", 1));
            case AdaptiveAvgPool1d a1 when Values(a1.output_size, 1, 1, name, "output_size").Any(v => v != 1):
            case AdaptiveAvgPool2d a2 when Values(a2.output_size, 2, 1, name, "output_size").Any(v => v != 1):
                throw new NotSupportedException($"ONNX export supports adaptive average pooling to size 1 (global pooling) only; '{name}' pools to another size.");
            case AdaptiveAvgPool1d or AdaptiveAvgPool2d:
                return Builder.Node("GlobalAveragePool", name, [x]);
            case MaxPool1d or MaxPool2d or AvgPool1d or AvgPool2d:
                return Pooling(Builder, module, name, x);
            default:
                throw Unknown(module, name);
        }
    }

    /// <summary>A float32 scalar initializer.</summary>
    public string Scalar(string name, float value)
    {
        using var scope = torch.NewDisposeScope();
        return Builder.Float(name, torch.tensor(value));
    }

    private static NotSupportedException Unknown(torch.nn.Module module, string path) =>
        new($"ONNX export does not know the module '{path}' ({module.GetType().FullName}). Models export when they are built as Sequential " +
            "of Conv1d/Conv2d, BatchNorm1d/2d, ReLU, ReLU6, Linear, Identity, Flatten, AdaptiveAvgPool1d/2d, AvgPool, MaxPool, Dropout and fixed " +
            "Choice modules (docs/data.md, \"Exporting a fixed model\"); a module with its own forward code cannot be traced: implement " +
            $"{typeof(IOnnxForward).FullName} on it to export it (docs/search-spaces.md, \"Exporting your own forward\").");

    private torch.nn.Module<Tensor, Tensor> AsLayer(torch.nn.Module child, string parent) =>
        child as torch.nn.Module<Tensor, Tensor> ?? throw Unknown(child, parent);

    /// <summary>Emits a fixed choice: the sum of its picks, pick j on <c>inputs[choice.InputOf(j)]</c>, each times its constant scale if it has one, then its normalisation.</summary>
    /// <param name="choice">A choice of the model.</param>
    /// <param name="inputs">Names of the values its candidates read.</param>
    /// <returns>Name of the output value.</returns>
    public string WriteChoice(Choice choice, IReadOnlyList<string> inputs)
    {
        string path = Path(choice);
        if (choice.FixedPicks is not IReadOnlyList<int> picks)
            throw new NotSupportedException($"Choice '{choice.Name}' ('{path}') is not fixed; fix it (Choice.Fix) before exporting, so that it runs exactly its picks.");
        string? sum = null;
        for (int i = 0; i < picks.Count; i++)
        {
            int c = picks[i], input = choice.InputOf(c);
            if (input >= inputs.Count)
                throw new ArgumentException($"Candidate {c} of choice '{choice.Name}' reads input {input}, but {inputs.Count} input(s) were given.", nameof(inputs));
            string output = Write(choice.Candidate(c), inputs[input]);
            if (choice.FixedScales is { } scales) // a one-stage search's alpha, kept where no BN absorbed it
                output = Builder.Node("Mul", $"{path}.scale{c}", [output, Scalar($"{path}.alpha{c}", scales[i])]);
            sum = sum is null ? output : Builder.Node("Add", $"{path}.sum{c}", [sum, output]);
        }

        return choice.Normalization is { } normalization ? Write(normalization, sum!) : sum!;
    }

    private string Convolution(Convolution conv, int dims, string path, string x)
    {
        if (conv.transposed)
            throw new NotSupportedException($"ONNX export does not support the transposed convolution '{path}'.");
        if (conv.padding_type is not null || conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"ONNX export supports explicit zero padding only ('{path}' has {conv.padding_type?.ToString() ?? conv.padding_mode.ToString()}).");
        long[] padding = Values(conv.padding, dims, 0, path, "padding");
        var inputs = new List<string> { x, Builder.Float(path + ".weight", conv.weight ?? throw new InvalidOperationException($"The convolution '{path}' has no weight.")) };
        if (conv.bias is not null) inputs.Add(Builder.Float(path + ".bias", conv.bias));
        return Builder.Node("Conv", path, inputs,
            OnnxGraphBuilder.Ints("kernel_shape", Values(conv.kernel_size, dims, 1, path, "kernel_size")),
            OnnxGraphBuilder.Ints("strides", Values(conv.stride, dims, 1, path, "stride")),
            OnnxGraphBuilder.Ints("pads", [.. padding, .. padding]),
            OnnxGraphBuilder.Ints("dilations", Values(conv.dilation, dims, 1, path, "dilation")),
            OnnxGraphBuilder.Int("group", conv.groups));
    }

    private string BatchNormalization(BatchNorm bn, string path, string x)
    {
        if (!bn.track_running_stats || bn.running_mean is null || bn.running_var is null)
            throw new NotSupportedException($"The BN '{path}' keeps no running statistics, so its evaluation-mode output depends on the batch; ONNX export needs running statistics.");
        using var scope = torch.NewDisposeScope();
        Tensor mean = bn.running_mean, variance = bn.running_var;
        string scale = bn.weight is not null ? Builder.Float(path + ".weight", bn.weight) : Builder.Float(path + ".weight", torch.ones_like(mean), "1 (the BN is not affine).");
        string shift = bn.bias is not null ? Builder.Float(path + ".bias", bn.bias) : Builder.Float(path + ".bias", torch.zeros_like(mean), "0 (the BN is not affine).");
        return Builder.Node("BatchNormalization", path,
            [x, scale, shift, Builder.Float(path + ".running_mean", mean), Builder.Float(path + ".running_var", variance)],
            OnnxGraphBuilder.Float("epsilon", (float)bn.eps));
    }

    /// <summary>x W^T + b as MatMul and Add, which (unlike Gemm) accepts inputs of any rank, as Linear does.</summary>
    private string Dense(Linear linear, string path, string x)
    {
        using var scope = torch.NewDisposeScope();
        Parameter weight = linear.weight ?? throw new InvalidOperationException($"The linear layer '{path}' has no weight.");
        string product = Builder.Node("MatMul", path + ".matmul", [x, Builder.Float(path + ".weight_t", weight.detach().t().contiguous(), $"The transposed weight of '{path}'.")]);
        return linear.bias is null ? product : Builder.Node("Add", path, [product, Builder.Float(path + ".bias", linear.bias)]);
    }

    /// <summary>A MaxPool1d/2d or AvgPool1d/2d as ONNX MaxPool or AveragePool (for any model, and for the DARTS network's pools in <see cref="OnnxExporter"/>).</summary>
    /// <param name="builder">The graph being written.</param>
    /// <param name="pool">The pooling module.</param>
    /// <param name="path">Its path, which names the node.</param>
    /// <param name="x">Name of the input value.</param>
    /// <returns>Name of the output value.</returns>
    /// <exception cref="NotSupportedException">Another module, a divisor override, or hyperparameters of another dimension.</exception>
    internal static string Pooling(OnnxGraphBuilder builder, torch.nn.Module<Tensor, Tensor> pool, string path, string x) => pool switch
    {
        MaxPool1d m => MaxPool(builder, path, x, 1, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode),
        MaxPool2d m => MaxPool(builder, path, x, 2, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode),
        AvgPool1d a => AveragePool(builder, path, x, 1, a.kernel_size, a.stride, a.padding, a.count_include_pad, a.ceil_mode),
        AvgPool2d { divisor_override: not null } => throw new NotSupportedException($"ONNX export does not support the divisor override of '{path}'."),
        AvgPool2d a => AveragePool(builder, path, x, 2, a.kernel_size, a.stride, a.padding, a.count_include_pad, a.ceil_mode),
        _ => throw Unknown(pool, path),
    };

    private static string MaxPool(OnnxGraphBuilder builder, string path, string x, int dims, object? kernelSize, object? stride, object? padding, object? dilation, bool ceil) =>
        Pool(builder, "MaxPool", path, x, dims, kernelSize, stride, padding,
            OnnxGraphBuilder.Ints("dilations", Values(dilation, dims, 1, path, "dilation")), OnnxGraphBuilder.Int("ceil_mode", ceil ? 1 : 0));

    private static string AveragePool(OnnxGraphBuilder builder, string path, string x, int dims, object? kernelSize, object? stride, object? padding, bool countIncludePad, bool ceil) =>
        Pool(builder, "AveragePool", path, x, dims, kernelSize, stride, padding,
            OnnxGraphBuilder.Int("count_include_pad", countIncludePad ? 1 : 0), OnnxGraphBuilder.Int("ceil_mode", ceil ? 1 : 0));

    /// <summary>A pooling node: kernel_shape, strides (the kernel's when none is given, as in PyTorch), pads on both sides, then the operator's own attributes.</summary>
    private static string Pool(OnnxGraphBuilder builder, string opType, string path, string x, int dims, object? kernelSize, object? stride, object? padding,
        params AttributeProto[] own)
    {
        long[] kernel = Values(kernelSize, dims, 1, path, "kernel_size");
        long[] pads = Values(padding, dims, 0, path, "padding");
        return builder.Node(opType, path, [x],
        [
            OnnxGraphBuilder.Ints("kernel_shape", kernel),
            OnnxGraphBuilder.Ints("strides", stride is null ? kernel : Values(stride, dims, 1, path, "stride")),
            OnnxGraphBuilder.Ints("pads", [.. pads, .. pads]),
            .. own,
        ]);
    }

    /// <summary>A hyperparameter as one value per spatial dimension: TorchSharp keeps a number, one value or one per dimension.</summary>
    private static long[] Values(object? value, int dims, long fallback, string path, string what) => value switch
    {
        null => Enumerable.Repeat(fallback, dims).ToArray(),
        long v => Enumerable.Repeat(v, dims).ToArray(),
        long[] { Length: 0 } => Enumerable.Repeat(fallback, dims).ToArray(),
        long[] { Length: 1 } one => Enumerable.Repeat(one[0], dims).ToArray(),
        long[] many when many.Length == dims => many,
        _ => throw new NotSupportedException($"'{path}' has a {what} of {value}; {dims} value(s) are expected."),
    };
}
