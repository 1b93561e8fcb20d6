using static TorchSharp.torch;

namespace IstaNas.Spaces.Macro;

/// <summary>The modules of NAS-Bench-Macro's <c>Network</c> (<c>train/model.py</c>), as plain TorchSharp blocks.</summary>
internal static class MacroBlocks
{
    /// <summary><c>stem</c>: 3x3 convolution (padding 1, no bias) to 32 channels, BN, ReLU.</summary>
    public static nn.Module<Tensor, Tensor> Stem(int inputChannels) =>
        nn.Sequential(
            nn.Conv2d(inputChannels, MacroSpace.StemChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(MacroSpace.StemChannels),
            nn.ReLU());

    /// <summary>
    /// Candidate <paramref name="choice"/> (0 Identity, 1 MBConv k3 e3, 2 MBConv k5 e6) of <paramref name="layer"/>, as
    /// model.py's <c>OPS</c>. The Identity of a layer that changes stride or channels is model.py's <c>downsample</c>, a
    /// 1x1 convolution with the stride (no bias) and BN, kept under the name <c>downsample</c>; elsewhere it is
    /// <c>nn.Identity</c>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Candidate(MacroLayer layer, int choice) => choice switch
    {
        0 when layer.Downsamples => nn.Sequential(("downsample", nn.Sequential(
            nn.Conv2d(layer.InChannels, layer.OutChannels, 1, stride: layer.Stride, bias: false),
            nn.BatchNorm2d(layer.OutChannels)))),
        0 => nn.Identity(),
        1 => new InvertedResidual(layer.InChannels, layer.OutChannels, layer.Stride, expansion: 3, kernelSize: 3),
        2 => new InvertedResidual(layer.InChannels, layer.OutChannels, layer.Stride, expansion: 6, kernelSize: 5),
        _ => throw new ArgumentOutOfRangeException(nameof(choice), choice, "NAS-Bench-Macro's candidates are 0, 1 and 2."),
    };

    /// <summary><c>out</c>: 1x1 convolution (no bias) from the last layer's 256 channels to 1280, BN, ReLU, global average pooling.</summary>
    public static nn.Module<Tensor, Tensor> Out() =>
        nn.Sequential(
            nn.Conv2d(MacroLayer.All[^1].OutChannels, MacroSpace.HeadChannels, 1, bias: false),
            nn.BatchNorm2d(MacroSpace.HeadChannels),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1));

    /// <summary>
    /// The whole network: <c>stem</c>, <c>features</c> (the eight layers), <c>out</c>, a flatten (model.py's
    /// <c>x.view(N, -1)</c>) and <c>classifier</c> (Linear 1280 to the classes, with bias), named as model.py names them
    /// so that parameter names match its state dict.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Network(int inputChannels, IEnumerable<nn.Module<Tensor, Tensor>> layers, int classCount) =>
        nn.Sequential(
            ("stem", Stem(inputChannels)),
            ("features", nn.Sequential(layers)),
            ("out", Out()),
            ("flatten", nn.Flatten()),
            ("classifier", nn.Linear(MacroSpace.HeadChannels, classCount)));
}
