using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>The stems of DARTS' networks, as sequential modules of convolutions, BNs and ReLUs.</summary>
internal static class Stem
{
    /// <summary>DARTS <c>NetworkCIFAR.stem</c>: 3 x 3 convolution without bias, then BN.</summary>
    public static nn.Module<Tensor, Tensor> Create(int inputChannels, int outputChannels) =>
        nn.Sequential(
            nn.Conv2d(inputChannels, outputChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(outputChannels));

    /// <summary>DARTS <c>NetworkImageNet.stem0</c>: two stride-2 3 x 3 convolutions (to C/2, then C channels) with BNs and a ReLU between: 1/4 resolution.</summary>
    public static nn.Module<Tensor, Tensor> ImageNetFirst(int inputChannels, int channels) =>
        nn.Sequential(
            nn.Conv2d(inputChannels, channels / 2, 3, stride: 2, padding: 1, bias: false),
            nn.BatchNorm2d(channels / 2),
            nn.ReLU(),
            nn.Conv2d(channels / 2, channels, 3, stride: 2, padding: 1, bias: false),
            nn.BatchNorm2d(channels));

    /// <summary>DARTS <c>NetworkImageNet.stem1</c>: ReLU, stride-2 3 x 3 convolution, BN: 1/8 resolution.</summary>
    public static nn.Module<Tensor, Tensor> ImageNetSecond(int channels) =>
        nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, stride: 2, padding: 1, bias: false),
            nn.BatchNorm2d(channels));
}
