using IstaNas.Choices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Signals;

/// <summary>
/// A small 1-D network with three decisions: the kernel of the first block (3, 7 or none), the second block (a wide
/// convolution, a dilated one, or a max pool) and the downsampling (max or average pool). It is a <see cref="Sequential"/> of
/// plain TorchSharp modules and <see cref="Choice"/> modules, so once its choices are fixed it exports to ONNX.
/// </summary>
internal static class SignalNet
{
    /// <summary>The model with open choices (a search space).</summary>
    /// <param name="classes">Number of classes.</param>
    /// <returns>The model.</returns>
    public static Sequential Create(int classes) => nn.Sequential(
        ("stem", ConvBnRelu(1, 16, 7)),
        ("block1", Choice.Of("block1", 1, ConvBnRelu(16, 16, 3), ConvBnRelu(16, 16, 7), nn.Identity()).WithLabels("conv3", "conv7", "skip")),
        ("down", ConvBnRelu(16, 32, 3, stride: 2)),
        ("block2", Choice.Of("block2", 1, ConvBnRelu(32, 32, 9), ConvBnRelu(32, 32, 3, dilation: 4), nn.MaxPool1d(3, stride: 1, padding: 1))
            .WithLabels("conv9", "conv3_dil4", "max_pool")),
        ("reduce", Choice.Of("reduce", 1, nn.MaxPool1d(2), nn.AvgPool1d(2)).WithLabels("max_pool", "avg_pool")),
        ("pool", nn.AdaptiveAvgPool1d(1)),
        ("flatten", nn.Flatten()),
        ("dropout", nn.Dropout(0.1)),
        ("classifier", nn.Linear(32, classes)));

    /// <summary>The model with every choice fixed to the given picks (choice name → candidate indices).</summary>
    /// <param name="classes">Number of classes.</param>
    /// <param name="picks">The picks of every choice.</param>
    /// <returns>The fixed model.</returns>
    public static Sequential Fixed(int classes, IReadOnlyDictionary<string, int[]> picks)
    {
        Sequential model = Create(classes);
        foreach (var (_, module) in model.named_modules())
        {
            if (module is Choice choice)
                choice.Fix(picks.TryGetValue(choice.Name, out int[]? p) ? p : throw new ArgumentException($"No picks for the choice '{choice.Name}'.", nameof(picks)));
        }

        return model;
    }

    private static Sequential ConvBnRelu(int input, int output, int kernel, int stride = 1, int dilation = 1) => nn.Sequential(
        nn.Conv1d(input, output, kernel, stride: stride, padding: dilation * (kernel - 1) / 2, dilation: dilation, bias: false),
        nn.BatchNorm1d(output),
        nn.ReLU());
}
