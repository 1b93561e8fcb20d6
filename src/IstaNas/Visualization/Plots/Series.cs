namespace IstaNas.Visualization.Plots;

/// <summary>One line of a chart: y per x, NaN for a gap; optionally thicker and labelled at its last point.</summary>
internal sealed record Series(string Name, Rgb Color, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false)
{
    /// <summary>Line width multiplier.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Text drawn right of the last finite point (or null).</summary>
    public string? EndLabel { get; init; }

    public bool HasData => Y.Any(double.IsFinite);
}
