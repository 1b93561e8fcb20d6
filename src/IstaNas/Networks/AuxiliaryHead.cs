using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// DARTS' auxiliary classifier. <c>AuxiliaryHeadCIFAR</c>: ReLU, 5 x 5 average pooling with stride 3, 1 x 1 convolution to
/// 128 channels, BN, ReLU, 2 x 2 convolution to 768 channels, BN, ReLU, linear classifier; it reads an 8 x 8 map (32 x 32
/// images). <c>AuxiliaryHeadImageNet</c> pools with stride 2 and has no BN after the 768-channel convolution (DARTS left it
/// out by a typo and kept it out for the published results); it reads a 7 x 7 map (224 x 224 images).
/// </summary>
internal sealed class AuxiliaryHead : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly Linear classifier;
    private readonly NetworkLayout _layout;

    /// <summary>Creates the head.</summary>
    /// <param name="channels">Channels of the feature map it reads.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="layout">Which of DARTS' two heads.</param>
    public AuxiliaryHead(int channels, int classes, NetworkLayout layout = NetworkLayout.Cifar) : base(nameof(AuxiliaryHead))
    {
        _layout = layout;
        features = layout == NetworkLayout.ImageNet
            ? nn.Sequential(
                nn.ReLU(),
                nn.AvgPool2d(5, stride: 2, padding: 0, count_include_pad: false),
                nn.Conv2d(channels, 128, 1, bias: false),
                nn.BatchNorm2d(128),
                nn.ReLU(),
                nn.Conv2d(128, 768, 2, bias: false),
                nn.ReLU())
            : nn.Sequential(
                nn.ReLU(),
                nn.AvgPool2d(5, stride: 3, padding: 0, count_include_pad: false),
                nn.Conv2d(channels, 128, 1, bias: false),
                nn.BatchNorm2d(128),
                nn.ReLU(),
                nn.Conv2d(128, 768, 2, bias: false),
                nn.BatchNorm2d(768),
                nn.ReLU());
        classifier = nn.Linear(768, classes);
        RegisterComponents();
    }

    /// <summary>The sides of the feature map a head accepts: its pooling must leave 2 x 2 for the 2 x 2 convolution to end at 1 x 1.</summary>
    public static (int Min, int Max) AcceptedSide(NetworkLayout layout) => layout == NetworkLayout.ImageNet ? (6, 8) : (8, 10);

    /// <summary>Computes auxiliary logits <c>[batch, classes]</c>.</summary>
    /// <param name="input">The feature map after cell 2L/3.</param>
    /// <returns>The auxiliary logits.</returns>
    /// <exception cref="ArgumentException">The map's side is outside <see cref="AcceptedSide"/>.</exception>
    public override Tensor forward(Tensor input)
    {
        var (min, max) = AcceptedSide(_layout);
        long h = input.shape[2], w = input.shape[3];
        if (h < min || h > max || w < min || w > max)
        {
            string images = _layout == NetworkLayout.ImageNet ? "224 x 224 images" : "32 x 32 images";
            throw new ArgumentException(
                $"The auxiliary head reads a {min} to {max} pixel map after cell 2L/3, but this input gives {h} x {w}: it is built for {images}. " +
                "Train without the auxiliary head (Auxiliary = false, --no-auxiliary) or bring the images to that size.", nameof(input));
        }

        var x = features.forward(input);
        return classifier.forward(x.view(x.shape[0], -1));
    }
}
