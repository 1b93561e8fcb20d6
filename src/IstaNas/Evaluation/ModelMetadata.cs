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

    /// <summary>Height in pixels of the images the network was trained on; null when unknown.</summary>
    public int? ImageHeight { get; init; }

    /// <summary>Width in pixels of the images the network was trained on; null when unknown.</summary>
    public int? ImageWidth { get; init; }

    /// <summary>The metadata of a network trained on <paramref name="dataset"/>: its normalisation and image size.</summary>
    /// <param name="dataset">The training set.</param>
    /// <param name="classNames">One name per class in label order, or null for the data set's own (<see cref="ImageDataset.ClassNames"/>: an image folder's class folders, CIFAR's names, else "0" .. "k-1").</param>
    /// <returns>The metadata.</returns>
    public static ModelMetadata FromDataset(ImageDataset dataset, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new ModelMetadata
        {
            ClassNames = (classNames ?? dataset.ClassNames).ToArray(),
            Mean = dataset.Mean.ToArray(),
            Std = dataset.Std.ToArray(),
            ImageHeight = dataset.Height,
            ImageWidth = dataset.Width,
        };
    }
}
