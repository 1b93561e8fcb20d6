using IstaNas.Data;

namespace IstaNas.Evaluation;

/// <summary>
/// What a deployed classifier needs to know besides its weights: the class names and the input normalisation it was
/// trained with, and the image size. Every property is optional; <see cref="TrainedNetwork"/> fills the gaps with
/// defaults (class names "0" .. "k-1", mean 0, std 1, size unknown). Lists compare by reference in the record's equality.
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>One name per class, in label order; null for "0" .. "k-1".</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Per-channel mean of pixel/255 subtracted before the network (as <see cref="ImageDataset.Mean"/>); null for 0.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation of pixel/255 divided by before the network (as <see cref="ImageDataset.Std"/>); null for 1.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>
    /// The shape of one input sample of a network trained on tensors (<see cref="TensorDataset"/>), such as [C, T] or [F];
    /// null for images (their size is <see cref="ImageHeight"/> x <see cref="ImageWidth"/>) or when unknown.
    /// </summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>Height in pixels of the images the network was trained on; null when unknown.</summary>
    public int? ImageHeight { get; init; }

    /// <summary>Width in pixels of the images the network was trained on; null when unknown.</summary>
    public int? ImageWidth { get; init; }

    /// <summary>
    /// How an image file becomes the network's input, for <c>TrainedNetwork.PredictFiles</c> (IstaNas.Formats): the file is brought
    /// to a <see cref="ResizeSize"/> square with this mode (as the image folder's <see cref="ImageDataset.ResizeMode"/>), then its
    /// central <see cref="ImageHeight"/> x <see cref="ImageWidth"/> window is kept. Null: stretched.
    /// </summary>
    public ImageResizeMode? ResizeMode { get; init; }

    /// <summary>Side of the square image files are first brought to (256 in the ImageNet protocol); null: straight to <see cref="ImageHeight"/> x <see cref="ImageWidth"/>.</summary>
    public int? ResizeSize { get; init; }

    /// <summary>
    /// Free-form notes saved with the network (the training's annotations, such as which search space and architecture
    /// a model of your own is, so that a program can rebuild its factory before loading it); null for none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>
    /// The metadata of a network trained on <paramref name="dataset"/>: its class names, normalisation and image size
    /// (the central <paramref name="cropSize"/> window of its images, when given), and for an image folder how its files
    /// were resized.
    /// </summary>
    /// <param name="dataset">The training set.</param>
    /// <param name="cropSize">The side of the central window the network saw (<see cref="EvaluationOptions.CropSize"/>), or null for the whole image.</param>
    /// <returns>The metadata.</returns>
    public static ModelMetadata FromDataset(LabelledDataset dataset, int? cropSize = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset is not ImageDataset images)
            return new ModelMetadata { ClassNames = dataset.ClassNames.ToArray(), InputShape = dataset.SampleShape.ToArray() };
        return FromImages(images, cropSize);
    }

    private static ModelMetadata FromImages(ImageDataset dataset, int? cropSize)
    {
        bool cropped = cropSize is int c && (c != dataset.Height || c != dataset.Width);
        return new ModelMetadata
        {
            ClassNames = dataset.ClassNames.ToArray(),
            Mean = dataset.Mean.ToArray(),
            Std = dataset.Std.ToArray(),
            ImageHeight = cropped ? cropSize : dataset.Height,
            ImageWidth = cropped ? cropSize : dataset.Width,
            ResizeMode = dataset.ResizeMode,
            ResizeSize = cropped ? dataset.Height : null,
        };
    }
}
