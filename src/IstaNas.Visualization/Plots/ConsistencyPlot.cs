using System.Globalization;
using IstaNas.Quality;
using IstaNas.Visualization.Drawing;
using ScottPlot;

namespace IstaNas.Visualization.Plots;

/// <summary>Stand-alone against super-net accuracy of a consistency study, with the rank correlations in the title.</summary>
internal static class ConsistencyPlot
{
    /// <summary>The plot; null when the study has no point.</summary>
    public static Plot? Build(ConsistencyResult result)
    {
        ConsistencyPoint[] points = [.. result.Points.Where(p => double.IsFinite(p.SuperNetAccuracy) && double.IsFinite(p.StandAloneAccuracy))];
        if (points.Length == 0) return null;
        string title = string.Create(CultureInfo.InvariantCulture,
            $"ranking consistency: Kendall \u03c4 = {Format(result.KendallTau)}, Spearman \u03c1 = {Format(result.SpearmanRho)} (n = {points.Length})");
        Plot plot = ChartStyle.Create(title, $"super-net accuracy (%, {result.SuperNetStrategy} super-net, BN recalibrated)", "stand-alone test accuracy (%)", titleSize: 17);
        double[] xs = [.. points.Select(p => 100 * p.SuperNetAccuracy)], ys = [.. points.Select(p => 100 * p.StandAloneAccuracy)];
        var markers = plot.Add.ScatterPoints(xs, ys, Colours.Of(Colours.Train));
        markers.MarkerSize = 10;
        for (int i = 0; i < points.Length; i++)
            ChartStyle.PointLabel(plot, points[i].Index.ToString(CultureInfo.InvariantCulture), xs[i], ys[i], 12, Alignment.LowerLeft, offsetY: -4);

        plot.HideLegend();
        (double xLow, double xHigh) = Range(xs);
        (double yLow, double yHigh) = Range(ys);
        plot.Axes.SetLimits(xLow, xHigh, yLow, yHigh);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.6 };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.6 };
        return plot;
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>The values' range (percent) with a margin, and room on the right for the labels; at least one percentage point wide.</summary>
    internal static (double Low, double High) Range(double[] values)
    {
        double low = values.Min(), high = values.Max();
        double span = Math.Max(high - low, 1);
        // Accuracies lie in [0, 100]: the margin may reach a little beyond, not to a tick of its own (such as -1).
        return (Math.Max(low - 0.12 * span, Math.Min(low, 0) - 0.04 * span), Math.Min(high + 0.15 * span, Math.Max(high, 100) + 0.04 * span));
    }
}
