using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Macro;

/// <summary>
/// The MobileNetV2 inverted residual block of NAS-Bench-Macro (<c>train/model.py</c>, <c>InvertedResidual</c> with
/// <c>t &gt; 1</c>): <see cref="Conv"/> is the plain sequence pointwise 1x1 (to <c>InChannels * Expansion</c>), BN, ReLU,
/// depthwise k x k with the stride and padding k/2, BN, ReLU, pointwise-linear 1x1 (to <c>OutChannels</c>), BN, all
/// convolutions without bias; the output is <c>Conv(x) + x</c> when <see cref="UseShortcut"/> (stride 1 and as many
/// channels out as in), else <c>Conv(x)</c>. The only module of the space that is not a plain TorchSharp block: an
/// exporter maps it as its sequence plus an optional Add.
/// </summary>
internal sealed class InvertedResidual : nn.Module<Tensor, Tensor>, IOnnxExportable, IEndsInBatchNorm
{
    private readonly Sequential conv;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of the depthwise convolution (1 or 2).</param>
    /// <param name="expansion">Expansion ratio <c>t</c> (hidden channels = <c>inChannels * t</c>), at least 2.</param>
    /// <param name="kernelSize">Odd kernel size of the depthwise convolution.</param>
    public InvertedResidual(int inChannels, int outChannels, int stride, int expansion, int kernelSize)
        : base(nameof(InvertedResidual))
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The block's stride is 1 or 2.");
        if (expansion < 2) throw new ArgumentOutOfRangeException(nameof(expansion), expansion, "This block form has an expansion layer: t >= 2.");
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Expansion = expansion;
        KernelSize = kernelSize;
        int hidden = inChannels * expansion;
        conv = nn.Sequential(
            nn.Conv2d(inChannels, hidden, 1, bias: false),
            nn.BatchNorm2d(hidden),
            nn.ReLU(),
            nn.Conv2d(hidden, hidden, kernelSize, stride: stride, padding: kernelSize / 2, groups: hidden, bias: false),
            nn.BatchNorm2d(hidden),
            nn.ReLU(),
            nn.Conv2d(hidden, outChannels, 1, bias: false),
            nn.BatchNorm2d(outChannels));
        RegisterComponents();
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Stride of the depthwise convolution.</summary>
    public int Stride { get; }

    /// <summary>Expansion ratio <c>t</c>.</summary>
    public int Expansion { get; }

    /// <summary>Kernel size of the depthwise convolution.</summary>
    public int KernelSize { get; }

    /// <summary>Whether the input is added to the output (stride 1 and as many channels out as in), as model.py's <c>use_shortcut</c>.</summary>
    public bool UseShortcut => Stride == 1 && InChannels == OutChannels;

    /// <summary>The block's body: Conv2d, BatchNorm2d, ReLU, Conv2d (depthwise), BatchNorm2d, ReLU, Conv2d, BatchNorm2d.</summary>
    public Sequential Conv => conv;

    /// <summary>The body's last BN when the block has no shortcut (its output is then the block's); null with the shortcut's Add after it.</summary>
    public BatchNorm? FinalBatchNorm => UseShortcut ? null : (BatchNorm)conv.children().Last();

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!UseShortcut) return conv.call(input);
        using Tensor body = conv.call(input);
        return body.add(input);
    }

    /// <summary>ONNX: the body's sequence, then an Add of the input when the block has its shortcut.</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input)
    {
        string body = writer.Write(conv, input);
        if (!UseShortcut) return body;
        string path = writer.Path(this);
        return writer.Builder.Node("Add", (path.Length == 0 ? "model" : path) + ".shortcut", [body, input]);
    }
}
