namespace IstaNas.Architecture;

/// <summary>The genotypes reported by the ISTA-NAS authors (and DARTS V2 for comparison), by property and by name.</summary>
public sealed partial class Genotype
{
    /// <summary>Two-stage ISTA-NAS on CIFAR-10 (2.54% test error reported).</summary>
    public static Genotype IstaTwoStage { get; } = Make(
        "skip_connect 0, dil_conv_3x3 1, sep_conv_5x5 0, dil_conv_3x3 2, dil_conv_3x3 1, sep_conv_3x3 0, sep_conv_3x3 2, skip_connect 0",
        "avg_pool_3x3 0, sep_conv_5x5 1, dil_conv_5x5 2, max_pool_3x3 1, dil_conv_5x5 3, sep_conv_3x3 1, dil_conv_5x5 4, sep_conv_5x5 1");

    /// <summary>One-stage ISTA-NAS on CIFAR-10 (2.36% test error reported; BN after parameter-free ops).</summary>
    public static Genotype IstaOneStage { get; } = Make(
        "skip_connect 0, dil_conv_3x3 1, sep_conv_3x3 1, dil_conv_5x5 2, avg_pool_3x3 3, sep_conv_3x3 1, sep_conv_5x5 1, sep_conv_3x3 2",
        "avg_pool_3x3 0, max_pool_3x3 1, skip_connect 0, max_pool_3x3 1, sep_conv_5x5 1, avg_pool_3x3 0, max_pool_3x3 0, dil_conv_5x5 2");

    /// <summary>ISTA-NAS on ImageNet (24.0% top-1 / 7.1% top-5 reported).</summary>
    public static Genotype IstaImageNet { get; } = Make(
        "sep_conv_3x3 1, sep_conv_3x3 0, sep_conv_3x3 1, skip_connect 2, sep_conv_3x3 1, sep_conv_3x3 0, sep_conv_3x3 1, dil_conv_5x5 4",
        "skip_connect 0, sep_conv_3x3 1, dil_conv_5x5 2, sep_conv_3x3 0, sep_conv_3x3 0, skip_connect 2, sep_conv_3x3 2, skip_connect 3");

    /// <summary>DARTS (second order) from Liu et al., 2019; a common reference point.</summary>
    public static Genotype DartsV2 { get; } = Make(
        "sep_conv_3x3 0, sep_conv_3x3 1, sep_conv_3x3 0, sep_conv_3x3 1, sep_conv_3x3 1, skip_connect 0, skip_connect 0, dil_conv_3x3 2",
        "max_pool_3x3 0, max_pool_3x3 1, skip_connect 2, max_pool_3x3 1, max_pool_3x3 0, skip_connect 2, skip_connect 2, max_pool_3x3 1");

    /// <summary>The names <see cref="Known"/> accepts.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["ista_twostage", "ista_onestage", "ista_imagenet", "darts_v2"];

    /// <summary>A built-in genotype by name (case-insensitive): ista_twostage, ista_onestage, ista_imagenet, darts_v2.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The genotype.</returns>
    /// <exception cref="ArgumentException">The name is not one of <see cref="KnownNames"/>.</exception>
    public static Genotype Known(string name) => TryGetKnown(name, out Genotype? g)
        ? g
        : throw new ArgumentException($"Unknown genotype '{name}'; built in: {string.Join(", ", KnownNames)}.", nameof(name));

    /// <summary>Looks up a built-in genotype by name (case-insensitive).</summary>
    /// <param name="name">The name (see <see cref="KnownNames"/>); null finds nothing.</param>
    /// <param name="genotype">The genotype, or null.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryGetKnown(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Genotype? genotype)
    {
        genotype = name?.Trim().ToLowerInvariant() switch
        {
            "ista_twostage" or "ista-twostage" or "twostage" => IstaTwoStage,
            "ista_onestage" or "ista-onestage" or "onestage" => IstaOneStage,
            "ista_imagenet" or "ista-imagenet" or "imagenet" => IstaImageNet,
            "darts_v2" or "darts-v2" or "darts" => DartsV2,
            _ => null,
        };
        return genotype is not null;
    }

    private static Genotype Make(string normal, string reduce) => new(Parse(normal), Parse(reduce));

    private static IEnumerable<GenotypeEdge> Parse(string list) =>
        list.Split(',', StringSplitOptions.TrimEntries).Select(p =>
        {
            string[] parts = p.Split(' ');
            return new GenotypeEdge(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        });
}
