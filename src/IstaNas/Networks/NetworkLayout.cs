namespace IstaNas.Networks;

/// <summary>Which of DARTS' two evaluation networks is built around the cells.</summary>
public enum NetworkLayout
{
    /// <summary>
    /// DARTS <c>NetworkCIFAR</c>: a 3 x 3 convolution and BN stem at full resolution with <c>StemMultiplier * C</c>
    /// channels; the auxiliary head reads an 8 x 8 map (32 x 32 images). The default, and the only layout of the super-net.
    /// </summary>
    Cifar,

    /// <summary>
    /// DARTS <c>NetworkImageNet</c>: a two-part stem of three stride-2 3 x 3 convolutions bringing the images to 1/8 of
    /// their side with C channels (<c>StemMultiplier</c> does not apply), the first cell reading a stride-2 pair of inputs,
    /// and the ImageNet auxiliary head (5 x 5 average pooling with stride 2, no BN after its 768-channel convolution), which
    /// reads the 7 x 7 map of 224 x 224 images after cell 2L/3.
    /// </summary>
    ImageNet,
}
