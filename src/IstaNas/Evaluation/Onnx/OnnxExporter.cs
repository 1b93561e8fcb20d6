using System.Reflection;
using IstaNas.IO;
using IstaNas.Networks;
using TorchSharp;
using TorchSharp.Modules;
using Skip = IstaNas.Networks.Skip;
using Tensor = TorchSharp.torch.Tensor;

namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// Writes an <see cref="EvaluationNetwork"/> as an ONNX model (opset 13, IR version 7) computing its evaluation-mode
/// function: input <c>images</c> float32 [batch, C, H, W] with a symbolic batch dimension, output <c>logits</c>
/// float32 [batch, classes]. The graph is built from the network's own modules — every kernel size, stride, padding,
/// dilation, group count, BN epsilon and pooling mode is read from the module that runs it — with standard operators
/// only (Conv, BatchNormalization, Relu, MaxPool, AveragePool, Slice, Concat, Add, Shape, ConstantOfShape,
/// GlobalAveragePool, Flatten, Gemm). The auxiliary head and drop path are training-only and never exported.
/// Node and initializer names are the module paths (<c>cells.4.ops.2.pointwise1</c>, <c>stem.1.running_var</c>).
/// </summary>
internal static class OnnxExporter
{
    /// <summary>The standard operator set the graph uses.</summary>
    public const long OpsetVersion = 13;

    /// <summary>The IR version that goes with <see cref="OpsetVersion"/>.</summary>
    public const long IrVersion = 7;

    /// <summary>Name of the graph input.</summary>
    public const string InputName = "images";

    /// <summary>Name of the graph output.</summary>
    public const string OutputName = "logits";

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    /// <param name="network">The network (any mode, any device; left unchanged).</param>
    /// <param name="path">The .onnx file; its directory is created when missing.</param>
    /// <param name="settings">Export settings; null for the defaults.</param>
    /// <exception cref="NotSupportedException">The network holds a module the exporter does not know.</exception>
    public static void Export(EvaluationNetwork network, string path, OnnxExportSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ModelProto model = Build(network, settings);
        AtomicFile.Write(path, stream =>
        {
            using var output = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true);
            model.WriteTo(output);
            output.Flush();
        });
    }

    /// <summary>Builds the model in memory.</summary>
    /// <param name="network">The network (any mode, any device; left unchanged).</param>
    /// <param name="settings">Export settings; null for the defaults.</param>
    /// <returns>The model.</returns>
    /// <exception cref="NotSupportedException">The network holds a module the exporter does not know.</exception>
    public static ModelProto Build(EvaluationNetwork network, OnnxExportSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        settings ??= new OnnxExportSettings();
        if (settings.Height is < 1 || settings.Width is < 1)
            throw new ArgumentException($"The image size must be positive, got {settings.Height}x{settings.Width}.", nameof(settings));
        using var noGrad = torch.no_grad();
        var writer = new GraphWriter(network, settings.FoldBatchNorm);
        GraphProto graph = writer.Write();
        if (settings.DocString is not null) graph.DocString = settings.DocString;
        EvaluationNetworkOptions o = network.Options;
        graph.Input.Add(TensorValue(InputName, settings.InputDocString,
            Symbolic("batch"), Fixed(o.InputChannels),
            settings.Height is int h ? Fixed(h) : Symbolic("height"),
            settings.Width is int w ? Fixed(w) : Symbolic("width")));
        graph.Output.Add(TensorValue(OutputName, "Unnormalised class scores; softmax over axis 1 gives the class probabilities.",
            Symbolic("batch"), Fixed(o.Classes)));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "IstaNas",
            ProducerVersion = ProducerVersion(),
            Graph = graph,
        };
        if (settings.DocString is not null) model.DocString = settings.DocString;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in settings.Metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    internal static string ProducerVersion()
    {
        string? version = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return version is null ? "0" : version.Split('+')[0];
    }

    internal static TensorShapeProto.Types.Dimension Fixed(long value) => new() { DimValue = value };

    internal static TensorShapeProto.Types.Dimension Symbolic(string name) => new() { DimParam = name };

    internal static ValueInfoProto TensorValue(string name, string? docString, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        var value = new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
        if (docString is not null) value.DocString = docString;
        return value;
    }

    /// <summary>Walks the network in forward order and emits one or a few nodes per module.</summary>
    private sealed class GraphWriter
    {
        private readonly EvaluationNetwork _network;
        private readonly bool _fold;
        private readonly Dictionary<torch.nn.Module, string> _paths = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
        private readonly OnnxGraphBuilder _b;

        public GraphWriter(EvaluationNetwork network, bool fold)
        {
            _network = network;
            _fold = fold;
            foreach (var (name, module) in network.named_modules())
                _paths[module] = name;
            _b = new OnnxGraphBuilder("IstaNas.EvaluationNetwork", InputName, OutputName);
        }

        public GraphProto Write()
        {
            IReadOnlyList<torch.nn.Module<Tensor, Tensor>> stems = _network.StemModules;
            string s0 = Stem(stems[0], InputName);
            string s1 = stems.Count == 1 ? s0 : Stem(stems[1], s0);
            IReadOnlyList<EvaluationCell> cells = _network.Cells;
            for (int i = 0; i < cells.Count; i++)
            {
                string next = Cell(cells[i], i, s0, s1);
                s0 = s1;
                s1 = next;
            }

            string pooled = _b.Node("GlobalAveragePool", "global_pooling", [s1]);
            string flat = _b.Node("Flatten", "flatten", [pooled], OnnxGraphBuilder.Int("axis", 1));
            Linear classifier = _network.Classifier;
            string weight = _b.Float(Path(classifier) + ".weight", classifier.weight!);
            var inputs = new List<string> { flat, weight };
            if (classifier.bias is not null) inputs.Add(_b.Float(Path(classifier) + ".bias", classifier.bias));
            _b.NodeWithOutput("Gemm", Path(classifier), OutputName, inputs, OnnxGraphBuilder.Int("transB", 1));
            return _b.Graph;
        }

        /// <summary>A stem: convolutions (each followed by its BN) and ReLUs, in order.</summary>
        private string Stem(torch.nn.Module<Tensor, Tensor> stem, string x)
        {
            var parts = stem.children().ToArray();
            for (int i = 0; i < parts.Length; i++)
            {
                switch (parts[i])
                {
                    case Conv2d conv when i + 1 < parts.Length && parts[i + 1] is BatchNorm2d bn:
                        x = ConvBatchNorm(conv, bn, x);
                        i++;
                        break;
                    case ReLU relu:
                        x = Relu(Path(relu), x);
                        break;
                    default:
                        throw new NotSupportedException(
                            $"The stem '{Path(stem)}' is expected to hold convolutions each followed by a BatchNorm2d, and ReLUs; it holds {string.Join(", ", parts.Select(p => p.GetType().Name))}.");
                }
            }

            return x;
        }

        private string Cell(EvaluationCell cell, int index, string s0, string s1)
        {
            CellTopology topology = cell.IsReduction ? _network.Reduce : _network.Normal;
            IReadOnlyList<Operation> ops = cell.Operations;
            if (ops.Count != topology.Edges.Count)
                throw new InvalidOperationException($"Cell {index} has {ops.Count} operations but its topology lists {topology.Edges.Count} edges.");
            var states = new List<string> { Operation(cell.Preprocess0, s0), Operation(cell.Preprocess1, s1) };
            for (int node = 0; node < ops.Count / 2; node++)
            {
                string h1 = Operation(ops[2 * node], states[topology.Edges[2 * node].Input]);
                string h2 = Operation(ops[2 * node + 1], states[topology.Edges[2 * node + 1].Input]);
                states.Add(_b.Node("Add", $"cells.{index}.node{node}", [h1, h2]));
            }

            return _b.Node("Concat", $"cells.{index}.concat", topology.Concat.Select(s => states[s]), OnnxGraphBuilder.Int("axis", 1));
        }

        private string Operation(Operation op, string x)
        {
            string path = Path(op);
            switch (op)
            {
                case ReLUConvBN r:
                    return ConvBatchNorm(r.Conv, r.OutputBatchNorm, Relu(path + ".relu", x));
                case SepConv s:
                    {
                        string h = x;
                        var stages = s.Stages;
                        for (int k = 0; k < stages.Length; k++)
                        {
                            h = Relu($"{path}.relu{k + 1}", h);
                            h = ConvBatchNorm(stages[k].Depthwise, null, h);
                            h = ConvBatchNorm(stages[k].Pointwise, stages[k].BatchNorm, h);
                        }

                        return h;
                    }

                case DilConv d:
                    return ConvBatchNorm(d.Pointwise, d.OutputBatchNorm, ConvBatchNorm(d.Depthwise, null, Relu(path + ".relu", x)));
                case FactorizedReduce f:
                    return FactorizedReduce(f, path, x);
                case Pool p:
                    {
                        string pooled = ModuleGraphWriter.Pooling(_b, p.Pooling, Path(p.Pooling), x);
                        return p.OutputBatchNorm is null ? pooled : BatchNormalization(p.OutputBatchNorm, pooled);
                    }

                case Skip id:
                    return id.OutputBatchNorm is null ? x : BatchNormalization(id.OutputBatchNorm, x);
                case Zero z:
                    {
                        // Zeros of the output shape: Shape of the (subsampled) input, then ConstantOfShape 0.
                        string source = z.Stride == 1 ? x : _b.Node("Slice", path + ".subsample",
                            [x, Int64(0, 0), Int64(long.MaxValue, long.MaxValue), Int64(2, 3), Int64(z.Stride, z.Stride)]);
                        string shape = _b.Node("Shape", path + ".shape", [source]);
                        return _b.Node("ConstantOfShape", path, [shape], OnnxGraphBuilder.FloatScalarTensor("value", 0f));
                    }

                default:
                    throw new NotSupportedException($"ONNX export does not know the operation {op.GetType().Name} ('{path}').");
            }
        }

        private string FactorizedReduce(FactorizedReduce f, string path, string x)
        {
            string relu = Relu(path + ".relu", x);
            // x[:, :, 1:, 1:]: drop the first row and column, the offset half of the factorised reduction.
            string shifted = _b.Node("Slice", path + ".shift", [relu, Int64(1, 1), Int64(long.MaxValue, long.MaxValue), Int64(2, 3)]);
            BatchNorm2d bn = f.OutputBatchNorm;
            if (_fold)
            {
                // Each half of the BN's channels folds into the convolution that produces them.
                string first = ConvBatchNorm(f.Conv1, bn, relu, bnOffset: 0);
                string second = ConvBatchNorm(f.Conv2, bn, shifted, bnOffset: f.Conv1.out_channels);
                return _b.Node("Concat", path + ".concat", [first, second], OnnxGraphBuilder.Int("axis", 1));
            }

            string cat = _b.Node("Concat", path + ".concat", [ConvBatchNorm(f.Conv1, null, relu), ConvBatchNorm(f.Conv2, null, shifted)],
                OnnxGraphBuilder.Int("axis", 1));
            return BatchNormalization(bn, cat);
        }

        private string Relu(string name, string x) => _b.Node("Relu", name, [x]);

        /// <summary>A Conv node; with folding on, <paramref name="bn"/> (channels from <paramref name="bnOffset"/>) is folded into it, otherwise a BatchNormalization node follows.</summary>
        private string ConvBatchNorm(Conv2d conv, BatchNorm2d? bn, string x, long bnOffset = 0)
        {
            string path = Path(conv);
            if (conv.transposed)
                throw new NotSupportedException($"ONNX export does not support the transposed convolution '{path}'.");
            if (conv.padding_type is not null || conv.padding_mode != PaddingModes.Zeros)
                throw new NotSupportedException($"ONNX export supports explicit zero padding only ('{path}' has {conv.padding_type?.ToString() ?? conv.padding_mode.ToString()}).");
            long[] kernel = Pair(conv.kernel_size, 1, path, "kernel_size");
            long[] stride = Pair(conv.stride, 1, path, "stride");
            long[] padding = Pair(conv.padding, 0, path, "padding");
            long[] dilation = Pair(conv.dilation, 1, path, "dilation");
            var attributes = new[]
            {
                OnnxGraphBuilder.Ints("kernel_shape", kernel),
                OnnxGraphBuilder.Ints("strides", stride),
                OnnxGraphBuilder.Ints("pads", padding[0], padding[1], padding[0], padding[1]),
                OnnxGraphBuilder.Ints("dilations", dilation),
                OnnxGraphBuilder.Int("group", conv.groups),
            };
            Parameter weight = conv.weight ?? throw new InvalidOperationException($"The convolution '{path}' has no weight.");
            if (bn is null || !_fold)
            {
                var inputs = new List<string> { x, _b.Float(path + ".weight", weight) };
                if (conv.bias is not null) inputs.Add(_b.Float(path + ".bias", conv.bias));
                string output = _b.Node("Conv", path, inputs, attributes);
                return bn is null ? output : BatchNormalization(bn, output);
            }

            using var scope = torch.NewDisposeScope();
            long channels = conv.out_channels;
            var (scale, shift) = EvalAffine(bn);
            scale = scale.narrow(0, bnOffset, channels);
            shift = shift.narrow(0, bnOffset, channels);
            // BN(conv(x) + b) = scale * conv(x) + (scale * b + shift): scale the filters per output channel, add a bias.
            Tensor w = weight.detach().to(torch.float64, torch.CPU) * scale.view(-1, 1, 1, 1);
            Tensor b = conv.bias is null ? shift : conv.bias.detach().to(torch.float64, torch.CPU) * scale + shift;
            string bnPath = Path(bn);
            string range = bnOffset == 0 && channels == bn.num_features ? "" : $" (channels {bnOffset}..{bnOffset + channels - 1})";
            string folded = $"BatchNorm2d '{bnPath}'{range} folded in";
            string wName = _b.Float(path + ".weight", w, $"Weight of '{path}' with {folded}.");
            string bName = _b.Float(path + ".bias", b, $"Bias of '{path}' with {folded}.");
            string result = _b.Node("Conv", path, [x, wName, bName], attributes);
            _b.DocumentLastNode($"Conv2d '{path}' with {folded}.");
            return result;
        }

        /// <summary>The evaluation-mode BN as a per-channel affine map y = scale * x + shift, in float64 on the CPU.</summary>
        private (Tensor Scale, Tensor Shift) EvalAffine(BatchNorm2d bn)
        {
            var (mean, variance) = RunningStatistics(bn);
            Tensor m = mean.detach().to(torch.float64, torch.CPU);
            Tensor v = variance.detach().to(torch.float64, torch.CPU);
            Tensor gamma = bn.weight is null ? torch.ones_like(m) : bn.weight.detach().to(torch.float64, torch.CPU);
            Tensor beta = bn.bias is null ? torch.zeros_like(m) : bn.bias.detach().to(torch.float64, torch.CPU);
            Tensor scale = gamma / (v + bn.eps).sqrt();
            return (scale, beta - m * scale);
        }

        private string BatchNormalization(BatchNorm2d bn, string x)
        {
            string path = Path(bn);
            var (mean, variance) = RunningStatistics(bn);
            using var scope = torch.NewDisposeScope();
            string scale = bn.weight is not null ? _b.Float(path + ".weight", bn.weight) : _b.Float(path + ".weight", torch.ones_like(mean), "1 (the BN is not affine).");
            string shift = bn.bias is not null ? _b.Float(path + ".bias", bn.bias) : _b.Float(path + ".bias", torch.zeros_like(mean), "0 (the BN is not affine).");
            return _b.Node("BatchNormalization", path,
                [x, scale, shift, _b.Float(path + ".running_mean", mean), _b.Float(path + ".running_var", variance)],
                OnnxGraphBuilder.Float("epsilon", (float)bn.eps));
        }

        private (Tensor Mean, Tensor Variance) RunningStatistics(BatchNorm2d bn)
        {
            if (!bn.track_running_stats || bn.running_mean is null || bn.running_var is null)
                throw new NotSupportedException($"The BN '{Path(bn)}' keeps no running statistics, so its evaluation-mode output depends on the batch; ONNX export needs running statistics.");
            return (bn.running_mean, bn.running_var);
        }

        /// <summary>A 1-D int64 constant, shared by every node that needs the same values.</summary>
        private string Int64(params long[] values)
        {
            string key = "const." + string.Join("_", values.Select(v => v == long.MaxValue ? "end" : v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (!_constants.TryGetValue(key, out string? name))
            {
                name = _b.Int64(key, values);
                _constants[key] = name;
            }

            return name;
        }

        private string Path(torch.nn.Module module) =>
            _paths.TryGetValue(module, out string? path) ? path : throw new InvalidOperationException($"A {module.GetType().Name} module is not registered in the network.");

        /// <summary>A 2-D hyperparameter as (height, width): TorchSharp keeps one value or two.</summary>
        private static long[] Pair(long[]? values, long fallback, string path, string what) => values switch
        {
            null or [] => [fallback, fallback],
            [long v] => [v, v],
            [long h, long w] => [h, w],
            _ => throw new NotSupportedException($"'{path}' has a {values.Length}-D {what}; a 2-D one is expected."),
        };
    }
}
