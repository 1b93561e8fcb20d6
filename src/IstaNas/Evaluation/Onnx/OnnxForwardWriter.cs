using IstaNas.Choices;
using TorchSharp;
using Tensor = TorchSharp.torch.Tensor;

namespace IstaNas.Evaluation.Onnx;

/// <summary>
/// What an <see cref="IOnnxForward"/> module writes its forward with. Values are named by strings: every method takes
/// the names of its input values and returns the name of its output value. Nodes are named after the module being
/// written (its path in the model), so the graph reads like the model.
/// </summary>
public sealed class OnnxForwardWriter
{
    private readonly ModuleGraphWriter _writer;
    private readonly string _prefix;

    internal OnnxForwardWriter(ModuleGraphWriter writer, string prefix)
    {
        _writer = writer;
        _prefix = prefix;
    }

    /// <summary>
    /// Emits the evaluation-mode forward of a child module on <paramref name="x"/>: any module export knows (Sequential,
    /// Conv1d/2d, BatchNorm1d/2d, ReLU, ReLU6, Linear, Identity, Flatten, pools, Dropout), a fixed single-input
    /// <see cref="Choice"/>, or another <see cref="IOnnxForward"/> module.
    /// </summary>
    /// <param name="module">A module registered in the model being exported.</param>
    /// <param name="x">Name of the input value.</param>
    /// <returns>Name of the output value.</returns>
    /// <exception cref="NotSupportedException">The module (or one inside it) has no known mapping, or a choice is not fixed.</exception>
    public string Write(torch.nn.Module<Tensor, Tensor> module, string x)
    {
        ArgumentNullException.ThrowIfNull(module);
        return _writer.Write(module, Value(x, nameof(x)));
    }

    /// <summary>
    /// Emits a fixed choice over several inputs, as <see cref="Choice.forward(IReadOnlyList{Tensor})"/> computes it: the sum of
    /// its picks, pick j on <c>inputs[choice.InputOf(j)]</c>, each times its constant scale if it has one, then its normalisation.
    /// </summary>
    /// <param name="choice">A fixed choice registered in the model being exported.</param>
    /// <param name="inputs">Names of the values the candidates read, in the order given to the choice's forward.</param>
    /// <returns>Name of the output value.</returns>
    /// <exception cref="NotSupportedException">The choice is not fixed.</exception>
    /// <exception cref="ArgumentException">A pick reads an input beyond <paramref name="inputs"/>.</exception>
    public string Write(Choice choice, IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(choice);
        return _writer.WriteChoice(choice, Values(inputs, 1, nameof(inputs)));
    }

    /// <summary>The elementwise sum <c>a + b</c> (with ONNX broadcasting, as TorchSharp's).</summary>
    /// <param name="a">Name of the first value.</param>
    /// <param name="b">Name of the second value.</param>
    /// <returns>Name of the output value.</returns>
    public string Add(string a, string b) => _writer.Builder.Node("Add", _prefix + ".add", [Value(a, nameof(a)), Value(b, nameof(b))]);

    /// <summary>The elementwise product <c>a * b</c> (with ONNX broadcasting, as TorchSharp's).</summary>
    /// <param name="a">Name of the first value.</param>
    /// <param name="b">Name of the second value.</param>
    /// <returns>Name of the output value.</returns>
    public string Mul(string a, string b) => _writer.Builder.Node("Mul", _prefix + ".mul", [Value(a, nameof(a)), Value(b, nameof(b))]);

    /// <summary>The product of a value and a constant, <c>x * scale</c>.</summary>
    /// <param name="x">Name of the value.</param>
    /// <param name="scale">The constant; it must be finite.</param>
    /// <returns>Name of the output value.</returns>
    public string Mul(string x, float scale)
    {
        if (!float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite.");
        return _writer.Builder.Node("Mul", _prefix + ".mul", [Value(x, nameof(x)), _writer.Scalar(_prefix + ".scale", scale)]);
    }

    /// <summary>The concatenation of values along <paramref name="axis"/>, as <c>torch.cat(values, axis)</c>.</summary>
    /// <param name="values">Names of the values, at least one.</param>
    /// <param name="axis">The axis (negative counts from the end).</param>
    /// <returns>Name of the output value.</returns>
    public string Concat(IReadOnlyList<string> values, long axis) =>
        _writer.Builder.Node("Concat", _prefix + ".cat", Values(values, 1, nameof(values)), OnnxGraphBuilder.Int("axis", axis));

    /// <summary>The rectifier <c>max(x, 0)</c>.</summary>
    /// <param name="x">Name of the value.</param>
    /// <returns>Name of the output value.</returns>
    public string Relu(string x) => _writer.Builder.Node("Relu", _prefix + ".relu", [Value(x, nameof(x))]);

    /// <summary>Flattens every dimension from 1 on, as <c>x.flatten(1)</c>: <c>[N, ...]</c> becomes <c>[N, rest]</c>.</summary>
    /// <param name="x">Name of the value.</param>
    /// <returns>Name of the output value.</returns>
    public string Flatten(string x) => _writer.Builder.Node("Flatten", _prefix + ".flatten", [Value(x, nameof(x))], OnnxGraphBuilder.Int("axis", 1));

    /// <summary>Reshapes a value, as <c>x.reshape(shape)</c>: one dimension may be -1, and 0 keeps the input's size there (ONNX's rule).</summary>
    /// <param name="x">Name of the value.</param>
    /// <param name="shape">The new shape.</param>
    /// <returns>Name of the output value.</returns>
    public string Reshape(string x, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Count(d => d == -1) > 1 || shape.Any(d => d < -1))
            throw new ArgumentException($"A shape has at least one dimension, each -1, 0 or positive, at most one -1; [{string.Join(", ", shape)}] is not one.", nameof(shape));
        return _writer.Builder.Node("Reshape", _prefix + ".reshape", [Value(x, nameof(x)), _writer.Builder.Int64(_prefix + ".shape", shape)]);
    }

    private string Value(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameter);
        if (!_writer.Builder.Has(name))
            throw new ArgumentException($"'{name}' is not a value of the graph written so far (at '{_prefix}'); pass the input name or a name a writer method returned.", parameter);
        return name;
    }

    private string[] Values(IReadOnlyList<string> names, int atLeast, string parameter)
    {
        ArgumentNullException.ThrowIfNull(names, parameter);
        if (names.Count < atLeast)
            throw new ArgumentException($"At least {atLeast} value name(s) are needed; {names.Count} were given.", parameter);
        return [.. names.Select(n => Value(n, parameter))];
    }
}
