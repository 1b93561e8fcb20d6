namespace IstaNas.Sample.Plots;

/// <summary>One line of a chart: y per x, NaN for a gap.</summary>
internal sealed record Series(string Name, Rgb Color, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false)
{
    public bool HasData => Y.Any(double.IsFinite);
}
