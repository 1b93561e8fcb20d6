using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// DARTS <c>AuxiliaryHeadCIFAR</c>: ReLU, 5 x 5 average pooling with stride 3, 1 x 1 convolution to 128 channels, BN,
/// ReLU, 2 x 2 convolution to 768 channels, BN, ReLU, linear classifier. Expects an 8 x 8 feature map (32 x 32 images).
/// </summary>
internal sealed class AuxiliaryHead : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly Linear classifier;

    /// <summary>Creates the head.</summary>
    /// <param name="channels">Channels of the feature map it reads.</param>
    /// <param name="classes">Number of classes.</param>
    public AuxiliaryHead(int channels, int classes) : base(nameof(AuxiliaryHead))
    {
        features = nn.Sequential(
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

    /// <summary>Computes auxiliary logits <c>[batch, classes]</c>.</summary>
    /// <param name="input">The feature map after cell 2L/3.</param>
    /// <returns>The auxiliary logits.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = features.forward(input);
        return classifier.forward(x.view(x.shape[0], -1));
    }
}
