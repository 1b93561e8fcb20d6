using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// The image pipeline a <see cref="BatchLoader"/> applies to every batch: transforms on [0, 1] images, then per-channel
/// normalisation with the data set's mean/std, then transforms on normalised images. This reproduces the DARTS/ISTA-NAS
/// CIFAR training order: RandomCrop(32, padding 4), RandomHorizontalFlip, ToTensor, Normalize, Cutout.
/// The pipeline itself is stateless; all randomness comes from the <see cref="DeterministicRandom"/> passed to
/// <see cref="Apply"/>, whose <see cref="DeterministicRandom.State"/> can be saved and restored.
/// </summary>
internal sealed class AugmentationPipeline
{
    /// <summary>Creates a pipeline.</summary>
    /// <param name="beforeNormalization">Transforms applied to images in [0, 1], in order.</param>
    /// <param name="afterNormalization">Transforms applied to normalised images, in order.</param>
    public AugmentationPipeline(IReadOnlyList<IBatchTransform> beforeNormalization, IReadOnlyList<IBatchTransform> afterNormalization)
    {
        ArgumentNullException.ThrowIfNull(beforeNormalization);
        ArgumentNullException.ThrowIfNull(afterNormalization);
        BeforeNormalization = beforeNormalization.ToArray();
        AfterNormalization = afterNormalization.ToArray();
    }

    /// <summary>Transforms applied to images in [0, 1] before normalisation.</summary>
    public IReadOnlyList<IBatchTransform> BeforeNormalization { get; }

    /// <summary>Transforms applied to normalised images.</summary>
    public IReadOnlyList<IBatchTransform> AfterNormalization { get; }

    /// <summary>No augmentation: normalisation only (use for validation and test data).</summary>
    public static AugmentationPipeline None { get; } = new([], []);

    /// <summary>Whether the pipeline has no transform (normalisation only).</summary>
    public bool IsNone => BeforeNormalization.Count == 0 && AfterNormalization.Count == 0;

    /// <summary>
    /// The standard CIFAR training augmentation: random crop with 4 pixels of zero padding, horizontal flip with
    /// p = 0.5, normalisation, and optionally cutout.
    /// </summary>
    /// <param name="cutoutLength">Side of the cutout square (16 in DARTS when cutout is on); 0 disables cutout.</param>
    /// <param name="cropPadding">Zero padding of the random crop.</param>
    /// <returns>The pipeline.</returns>
    public static AugmentationPipeline Standard(int cutoutLength = 0, int cropPadding = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cutoutLength);
        IBatchTransform[] after = cutoutLength > 0 ? [new Cutout(cutoutLength)] : [];
        return new AugmentationPipeline([new RandomCrop(cropPadding), new RandomHorizontalFlip(0.5)], after);
    }

    /// <summary>
    /// The ImageNet training augmentation of DARTS and ISTA-NAS: RandomResizedCrop(<paramref name="size"/>),
    /// RandomHorizontalFlip and, when <paramref name="colorJitter"/> is set, ColorJitter(0.4, 0.4, 0.4, 0.2), then
    /// normalisation.
    /// </summary>
    /// <param name="size">Side of the crops.</param>
    /// <param name="colorJitter">Whether to jitter brightness, contrast, saturation and hue.</param>
    /// <returns>The pipeline.</returns>
    public static AugmentationPipeline ImageNet(int size, bool colorJitter) =>
        new(colorJitter
            ? [new RandomResizedCrop(size), new RandomHorizontalFlip(0.5), new ColorJitter()]
            : [new RandomResizedCrop(size), new RandomHorizontalFlip(0.5)], []);

    /// <summary>
    /// Runs the pipeline on a uint8 or float batch [B, C, H, W] (uint8 is divided by 255; float must already be in
    /// [0, 1]). The input is not disposed; the caller owns the float32 result.
    /// </summary>
    /// <param name="images">The batch.</param>
    /// <param name="mean">Per-channel normalisation mean.</param>
    /// <param name="std">Per-channel normalisation standard deviation.</param>
    /// <param name="random">Source of randomness; advanced by the transforms.</param>
    /// <returns>The augmented, normalised batch.</returns>
    public torch.Tensor Apply(torch.Tensor images, IReadOnlyList<float> mean, IReadOnlyList<float> std, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(random);
        using var scope = torch.NewDisposeScope();
        var x = images.dtype == torch.uint8 ? Normalization.ToUnitFloat(images) : images.to_type(torch.float32);
        foreach (var t in BeforeNormalization)
        {
            x = t.Apply(x, random);
        }

        x = Normalization.Normalize(x, mean, std);
        foreach (var t in AfterNormalization)
        {
            x = t.Apply(x, random);
        }

        return x.MoveToOuterDisposeScope();
    }
}
