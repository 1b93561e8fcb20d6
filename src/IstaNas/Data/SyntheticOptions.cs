using System.ComponentModel.DataAnnotations;

namespace IstaNas.Data;

/// <summary>Shape of the data produced by <see cref="Synthetic.Create"/>.</summary>
internal sealed record SyntheticOptions
{
    /// <summary>
    /// Number of classes (at least 2). Class <c>k</c> uses shape <c>k % 10</c> and a hue derived from <c>k</c>; with one
    /// channel there is no hue, so keep at most 10 classes for grey data (classes k and k + 10 would look alike).
    /// </summary>
    [Range(2, int.MaxValue, ErrorMessage = "Synthetic data needs at least {1} classes.")]
    public int ClassCount { get; init; } = 10;

    /// <summary>Height and width of the square images (at least 8).</summary>
    [Range(8, int.MaxValue, ErrorMessage = "Synthetic images must be at least {1} pixels wide.")]
    public int ImageSize { get; init; } = 32;

    /// <summary>Channels: 3 (colour, class-specific tint) or 1 (grey, shape only).</summary>
    [AllowedValues(1, 3, ErrorMessage = "Synthetic images have 1 or 3 channels.")]
    public int Channels { get; init; } = 3;

    /// <summary>Standard deviation of the additive Gaussian pixel noise, in units of full intensity (0–1).</summary>
    [Range(0.0, double.MaxValue, ErrorMessage = "The noise's standard deviation must be finite and non-negative.")]
    public double NoiseStd { get; init; } = 0.08;

    /// <summary>Name of the data set; defaults to "synthetic-{count}-{seed}".</summary>
    public string? Name { get; init; }
}
