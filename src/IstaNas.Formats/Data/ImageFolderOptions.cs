using System.ComponentModel.DataAnnotations;

namespace IstaNas.Data;

/// <summary>
/// How the image folder readers turn a folder of images into a data set. Its rules are data annotations plus
/// <see cref="Validate(ValidationContext)"/>; a reader given invalid options throws <see cref="ArgumentException"/> naming them.
/// </summary>
public sealed record ImageFolderOptions : IValidatableObject
{
    /// <summary>
    /// Side of the square images produced (at least 1), 32 by default. Every image is resized (see
    /// <see cref="ResizeMode"/>) with an antialiased bilinear filter. Null keeps the images' own size, which must then be
    /// the same for every image (otherwise loading fails, naming two files of different sizes).
    /// </summary>
    [Range(1, 4096, ErrorMessage = "{0} must be between {1} and {2} (or null to keep the images' size).")]
    public int? ImageSize { get; init; } = 32;

    /// <summary>
    /// How an image reaches the square <see cref="ImageSize"/>: <see cref="ImageResizeMode.Stretch"/> (the default) or
    /// <see cref="ImageResizeMode.CenterCrop"/>.
    /// </summary>
    [EnumDataType(typeof(ImageResizeMode), ErrorMessage = "{0} is not a resize mode.")]
    public ImageResizeMode ResizeMode { get; init; } = ImageResizeMode.Stretch;

    /// <summary>
    /// 3 (the default) for RGB, 1 for grey (ITU-R 601-2 luma, as Pillow's <c>convert("L")</c>). Grey files are replicated
    /// into three equal channels for RGB; an alpha channel is dropped.
    /// </summary>
    [AllowedValues(1, 3, ErrorMessage = "{0} must be 1 (grey) or 3 (RGB).")]
    public int Channels { get; init; } = 3;

    /// <summary>
    /// What to do with a class folder that holds no image file (or only unreadable ones that were skipped): false (the
    /// default) fails with an error naming the folder; true leaves the class out (it gets no label and no class name)
    /// and logs a warning.
    /// </summary>
    public bool SkipEmptyClassFolders { get; init; }

    /// <summary>
    /// What to do with an image file that cannot be read (not a PNG, JPEG or BMP file despite its extension, a corrupt or
    /// truncated header, too many pixels): false (the default) fails with an error naming the file; true leaves it out
    /// of the data set and logs a warning. Headers are checked when the folder is loaded; a data set decoded on demand
    /// (see <see cref="InMemoryLimitBytes"/>) checks the rest of each file only when it reads it, and a failure then is
    /// an error naming the file whatever this setting.
    /// </summary>
    public bool SkipInvalidImages { get; init; }

    /// <summary>
    /// Decoded size, in bytes, up to which the images are decoded when the folder is loaded and kept in memory
    /// (256 MiB by default: about 87,000 RGB images of 32×32). Larger data sets list their files and labels only and
    /// decode images on demand, batch by batch (see <see cref="BatchLoaderOptions.PrefetchBatches"/>), so a folder of
    /// millions of images needs memory for the file list and a few batches only. 0 always decodes on demand.
    /// </summary>
    [Range(0.0, double.MaxValue, ErrorMessage = "{0} must be 0 or positive.")]
    public long InMemoryLimitBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Per-channel normalisation mean of pixel/255 (one entry per channel). Null (the default) computes it, together
    /// with <see cref="Std"/>, from the images: all of them when the data set is decoded into memory, otherwise a seeded
    /// random sample of <see cref="StatisticsSampleSize"/> images. For a train/test pair both use the training set's.
    /// </summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel normalisation standard deviation of pixel/255 (one positive entry per channel); null computes it (see <see cref="Mean"/>).</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>
    /// Number of images, drawn at random with <see cref="Seed"/>, over which the mean and std are computed for a data set
    /// decoded on demand (2,000 by default, at least 1). Data sets decoded into memory use every image.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int StatisticsSampleSize { get; init; } = 2000;

    /// <summary>
    /// Whether the images are stored in a seeded random order (the default) rather than class by class. The search
    /// strategies split the training set by stored order (first part for the weights, second for the architecture), so
    /// storing an image folder class by class would give the two parts different classes.
    /// </summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the stored order, of the train/test split by portion and of the statistics sample.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Fraction of each class held out as the test set by <see cref="ImageDatasetFormats.LoadImageFolderTrainTest">ImageDataset.LoadImageFolderTrainTest</see> when the folder has no
    /// <c>train</c>/<c>val</c> (or <c>test</c>) subfolders: round(portion·n) of a class's n images, at most n − 1,
    /// chosen with <see cref="Seed"/>. In (0, 1); 0.2 by default.
    /// </summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true, ErrorMessage = "{0} must be between 0 and 1 (exclusive).")]
    public double TestPortion { get; init; } = 0.2;

    /// <summary>
    /// The largest image, in pixels (width·height), that is decoded: 64 megapixels by default. Larger images are
    /// treated as unreadable (see <see cref="SkipInvalidImages"/>), so that a corrupt header cannot make the decoder
    /// allocate gigabytes.
    /// </summary>
    [Range(1.0, double.MaxValue, ErrorMessage = "{0} must be positive.")]
    public long MaxSourcePixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>Name of the data set; defaults to the folder's name (with "-train"/"-test" for a train/test pair).</summary>
    public string? Name { get; init; }

    /// <summary>The rules across options: the normalisation statistics, given together, one entry per channel, positive deviations.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>The failed rules.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((Mean is null) != (Std is null))
            yield return new ValidationResult("Mean and Std must be given together (or both left null to compute them).", [nameof(Mean), nameof(Std)]);
        else if (Mean is not null && (Mean.Count != Channels || Std!.Count != Channels))
            yield return new ValidationResult($"Mean and Std need one entry per channel ({Channels}); got {Mean.Count} and {Std!.Count}.", [nameof(Mean), nameof(Std)]);
        if (Std is not null && Std.Any(s => !(s > 0) || !float.IsFinite(s)))
            yield return new ValidationResult("Std must be finite and positive.", [nameof(Std)]);
    }
}
