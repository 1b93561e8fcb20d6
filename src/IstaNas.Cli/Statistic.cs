namespace IstaNas.Cli;

/// <summary>Mean, sample standard deviation, minimum and maximum of some values (NaN when there are none; the deviation needs two).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation (divided by n - 1).</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
internal sealed record Statistic(double Mean, double Std, double Min, double Max)
{
    /// <summary>The statistic of the finite values.</summary>
    public static Statistic Of(IEnumerable<double> values)
    {
        double[] v = [.. values.Where(double.IsFinite)];
        if (v.Length == 0) return new Statistic(double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : double.NaN;
        return new Statistic(mean, std, v.Min(), v.Max());
    }
}
