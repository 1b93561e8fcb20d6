using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>The stem of the CIFAR networks: 3 x 3 convolution without bias, then BN (affine).</summary>
internal static class Stem
{
    public static nn.Module<Tensor, Tensor> Create(int inputChannels, int outputChannels) =>
        nn.Sequential(
            nn.Conv2d(inputChannels, outputChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(outputChannels));
}
