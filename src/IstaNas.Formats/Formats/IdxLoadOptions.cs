using System.ComponentModel.DataAnnotations;

namespace IstaNas.Formats;

/// <summary>How <see cref="Idx.Load"/> turns grey IDX images into a data set.</summary>
internal sealed record IdxLoadOptions
{
    /// <summary>Output channels: 1 keeps the grey image, 3 replicates it into identical R, G and B planes.</summary>
    [AllowedValues(1, 3, ErrorMessage = "IDX images load with 1 or 3 channels.")]
    public int Channels { get; init; } = 1;

    /// <summary>
    /// When set, images are zero-padded equally on all sides (extra pixel on the bottom/right when odd) to this
    /// square size, e.g. 28×28 MNIST to 32×32. Must be at least the image height and width. Null keeps the original size.
    /// </summary>
    public int? PadTo { get; init; }

    /// <summary>
    /// Number of classes. When set, every label must be below it; when null, it is the largest label plus one
    /// (10 for MNIST and Fashion-MNIST).
    /// </summary>
    public int? ClassCount { get; init; }

    /// <summary>Name of the data set; defaults to the image file's name.</summary>
    public string? Name { get; init; }
}
