namespace IstaNas.Visualization.Plots;

/// <summary>"Nice" axis ranges and tick positions (1, 2, 5 x 10^k steps).</summary>
internal static class Ticks
{
    public static (double Min, double Max, double Step) Nice(double min, double max, int target = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (max - min < 1e-12)
        {
            double pad = Math.Abs(min) > 1e-12 ? Math.Abs(min) * 0.1 : 1;
            (min, max) = (min - pad, max + pad);
        }
        double raw = (max - min) / Math.Max(1, target);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double norm = raw / mag;
        double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
        return (Math.Floor(min / step + 1e-9) * step, Math.Ceiling(max / step - 1e-9) * step, step);
    }

    public static IEnumerable<double> Values(double min, double max, double step)
    {
        for (double v = min; v <= max + step * 1e-6; v += step)
            yield return Math.Abs(v) < step * 1e-9 ? 0 : v;
    }

    public static string Format(double v, double step)
    {
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
        return v.ToString("F" + Math.Min(decimals, 6), System.Globalization.CultureInfo.InvariantCulture);
    }
}
