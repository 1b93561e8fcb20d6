namespace IstaNas.Visualization;

/// <summary>One finished run of a sweep, as <see cref="QualityPictures.Write(string, IReadOnlyList{RunAccuracy})"/> plots it.</summary>
/// <param name="Strategy">The search strategy (the plot's group).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="TestAccuracy">Test top-1 (0..1) of the searched genotype after evaluation.</param>
public sealed record RunAccuracy(string Strategy, long Seed, double TestAccuracy);
