using System.ComponentModel.DataAnnotations;
using IstaNas.Networks;
using IstaNas.Training;

namespace IstaNas.Evaluation;

/// <summary>
/// Settings of <see cref="EvaluationTrainer"/>: training a fixed architecture from scratch. The defaults are the DARTS
/// CIFAR-10 protocol: the target network's settings (<see cref="TargetTrainingOptions"/>: 600 epochs, batch 96, C = 36,
/// L = 20, auxiliary head weight 0.4, cutout 16, drop path 0.2 rising linearly), SGD lr 0.025 cosine to 0, momentum 0.9,
/// weight decay 3e-4, grad clip 5. <see cref="ImageNet"/> gives the authors' ImageNet protocol.
/// </summary>
public sealed class EvaluationOptions : TargetTrainingOptions
{
    /// <summary>Creates the options with the DARTS CIFAR-10 protocol's values.</summary>
    public EvaluationOptions() => LearningRateMin = 0;

    /// <summary>Append a BN to pools and the identity skip: the network form of one-stage ISTA-NAS.</summary>
    public bool BatchNormAfterParameterFree { get; set; }

    /// <summary>Caps the test minibatches per evaluation (null: the whole test set). For quick runs and tests.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxTestSteps { get; set; }

    /// <summary>Seed of the weight initialisation, the torch generator (drop path), the data order and the augmentation.</summary>
    public long Seed { get; set; }

    /// <summary>
    /// DARTS' CIFAR network (the default) or its ImageNet network (two-part stem to 1/8 of the image side, ImageNet
    /// auxiliary head). With <see cref="NetworkLayout.ImageNet"/> and <see cref="TrainingOptions.Augment"/>, training
    /// images get torchvision's <c>RandomResizedCrop</c> to <see cref="CropSize"/> and a horizontal flip instead of the
    /// CIFAR padded crop; <see cref="TrainingOptions.StemMultiplier"/> does not apply.
    /// </summary>
    [EnumDataType(typeof(NetworkLayout), ErrorMessage = "{0} must be Cifar or ImageNet.")]
    public NetworkLayout Layout { get; set; }

    /// <summary>
    /// Side of the square the network sees, cut from the data set's images: a random resized crop for training (ImageNet
    /// layout) and the central window for testing, as torchvision's <c>RandomResizedCrop(224)</c> and
    /// <c>Resize(256)</c> + <c>CenterCrop(224)</c> on images brought to 256 x 256. Null (the default) uses the images
    /// whole. At most the images' side.
    /// </summary>
    [Range(1, 4096)]
    public int? CropSize { get; set; }

    /// <summary>
    /// torchvision's <c>ColorJitter(0.4, 0.4, 0.4, 0.2)</c> on training images (brightness, contrast and saturation
    /// factors in [0.6, 1.4], hue shifted by up to 0.2 of the circle, applied in a random order), as the authors' ImageNet
    /// script. Default false.
    /// </summary>
    public bool ColorJitter { get; set; }

    /// <summary>
    /// Label smoothing ε of the training loss (and of the auxiliary loss): the targets become (1 − ε)·one-hot + ε/classes,
    /// as DARTS' <c>CrossEntropyLabelSmooth</c>; the test loss stays plain cross-entropy. 0 (the default) disables it; the
    /// ImageNet protocol uses 0.1.
    /// </summary>
    [Range(0.0, 0.999)]
    public double LabelSmoothing { get; set; }

    /// <summary>How the learning rate falls: <see cref="LearningRateSchedule.Cosine"/> (the default) or the ImageNet script's <see cref="LearningRateSchedule.Linear"/>.</summary>
    [EnumDataType(typeof(LearningRateSchedule), ErrorMessage = "{0} must be Cosine or Linear.")]
    public LearningRateSchedule Schedule { get; set; }

    /// <summary>
    /// Epochs of linear warm-up at the start, epoch e running at <c>LearningRate · (e + 1) / WarmupEpochs</c> (the authors'
    /// ImageNet script warms up for 5 epochs when the batch exceeds 256). 0 (the default) disables it.
    /// </summary>
    [Range(0, 100_000)]
    public int WarmupEpochs { get; set; }

    /// <summary>
    /// The authors' CIFAR-10 protocol, the same as the defaults: their <c>main_evaluation.sh</c> runs
    /// <c>python ./tools/evaluation.py --auxiliary --cutout --arch $1</c> (iboing/ISTA-NAS; argparse defaults at lines 23-41,
    /// as DARTS' <c>cnn/train.py</c>): batch 96, SGD lr 0.025 cosine to 0, momentum 0.9, weight decay 3e-4, 600 epochs,
    /// C = 36, L = 20, auxiliary weight 0.4, cutout 16, drop path 0.2, grad clip 5. For a one-stage architecture
    /// (<c>main_evaluation_single.sh</c>, <c>--onestage</c>) set <see cref="BatchNormAfterParameterFree"/>.
    /// </summary>
    /// <returns>New options; change any of them before use.</returns>
    public static EvaluationOptions Cifar10() => new();

    /// <summary>
    /// The authors' ImageNet protocol (ISTA-NAS' <c>tools/evaluation_imagenet.py</c>, after PC-DARTS): the ImageNet
    /// layout with C = 48, L = 14, 250 epochs, batch 1024, SGD lr 0.5 with the linear schedule and 5 warm-up epochs,
    /// momentum 0.9, weight decay 3e-5, grad clip 5, label smoothing 0.1, auxiliary head with weight 0.4, no drop path, no
    /// cutout, random resized crops of 224 with flips and colour jitter for training and the central 224 x 224 of images
    /// brought to 256 x 256 for testing. Load the image folder (IstaNas.Formats) with image size 256 and
    /// <see cref="Data.ImageResizeMode.CenterCrop"/>: <c>new ImageFolderOptions { ImageSize = 256, ResizeMode = ImageResizeMode.CenterCrop }</c>.
    /// </summary>
    /// <returns>New options; change any of them before use.</returns>
    public static EvaluationOptions ImageNet() => new()
    {
        Layout = NetworkLayout.ImageNet,
        Channels = 48,
        Layers = 14,
        Epochs = 250,
        BatchSize = 1024,
        LearningRate = 0.5,
        LearningRateMin = 0,
        Schedule = LearningRateSchedule.Linear,
        WarmupEpochs = 5,
        Momentum = 0.9,
        WeightDecay = 3e-5,
        GradClip = 5,
        LabelSmoothing = 0.1,
        Auxiliary = true,
        AuxiliaryWeight = 0.4,
        DropPathProbability = 0,
        Cutout = false,
        CropSize = 224,
        ColorJitter = true,
    };

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (ValidationResult result in base.Validate(validationContext))
            yield return result;
        if (CropSize is not null && Layout != NetworkLayout.ImageNet)
            yield return new ValidationResult(
                $"CropSize ({CropSize}) applies to the ImageNet layout; the CIFAR layout trains on the images whole (padded random crops of their own size).",
                [nameof(CropSize)]);
        if (Layout == NetworkLayout.ImageNet && Channels < 2)
            yield return new ValidationResult($"Channels must be at least 2 for the ImageNet layout (its stem starts with C/2 channels), got {Channels}.", [nameof(Channels)]);
    }
}
