using System.Globalization;
using IstaNas.Visualization.Drawing;
using ScottPlot;

namespace IstaNas.Visualization.Plots;

/// <summary>Test accuracy per strategy of a sweep: every run a point labelled with its seed, the mean and one standard deviation.</summary>
internal static class SweepPlot
{
    private const double Spread = 0.22;

    /// <summary>The plot; null when no run has a finite accuracy.</summary>
    public static Plot? Build(IReadOnlyList<RunAccuracy> runs, string what = "test accuracy", string axis = "test top-1 accuracy")
    {
        RunAccuracy[] finite = [.. runs.Where(r => double.IsFinite(r.TestAccuracy))];
        if (finite.Length == 0) return null;
        string[] strategies = [.. finite.Select(r => r.Strategy).Distinct(StringComparer.Ordinal)];
        Plot plot = ChartStyle.Create($"{what} per strategy (points: runs, by seed; bar: mean \u00b1 1 std)", "", $"{axis} (%)");
        var labels = new string[strategies.Length];
        var extent = new List<double>();
        for (int s = 0; s < strategies.Length; s++)
        {
            RunAccuracy[] group = [.. finite.Where(r => r.Strategy == strategies[s]).OrderBy(r => r.Seed)];
            double[] ys = [.. group.Select(r => 100 * r.TestAccuracy)];
            double[] xs = [.. group.Select((_, i) => s + Offset(i, group.Length))];
            string colour = Colours.Operation(strategies[s], s + 3);
            var points = plot.Add.ScatterPoints(xs, ys, Colours.Of(colour));
            points.MarkerSize = 9;
            for (int i = 0; i < group.Length; i++)
                ChartStyle.PointLabel(plot, group[i].Seed.ToString(CultureInfo.InvariantCulture), xs[i], ys[i], 11, Alignment.MiddleLeft);

            double mean = ys.Average();
            double std = ys.Length > 1 ? Math.Sqrt(ys.Sum(y => (y - mean) * (y - mean)) / (ys.Length - 1)) : 0;
            Line(plot, s - Spread - 0.08, mean, s + Spread + 0.08, mean, 2.5f);
            extent.AddRange([.. ys, mean - std, mean + std]);
            if (std > 0)
            {
                double x = s - Spread - 0.12;
                Line(plot, x, mean - std, x, mean + std, 1.5f);
                Line(plot, x - 0.03, mean - std, x + 0.03, mean - std, 1.5f);
                Line(plot, x - 0.03, mean + std, x + 0.03, mean + std, 1.5f);
            }

            labels[s] = string.Create(CultureInfo.InvariantCulture,
                $"{strategies[s]}\n{mean:0.0} \u00b1 {(ys.Length > 1 ? std.ToString("0.0", CultureInfo.InvariantCulture) : "n/a")} % (n = {ys.Length})");
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, strategies.Length).Select(i => (double)i)], labels);
        plot.Axes.Bottom.TickLabelStyle.FontName = EmbeddedFonts.Name;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.HideLegend();
        (double low, double high) = ConsistencyPlot.Range([.. extent]); // every point and every whisker
        plot.Axes.SetLimits(-0.6, strategies.Length - 0.4, low, high);
        return plot;
    }

    private static void Line(Plot plot, double x1, double y1, double x2, double y2, float width)
    {
        var line = plot.Add.Line(x1, y1, x2, y2);
        line.Color = Colours.Of(Colours.Ink);
        line.LineWidth = width;
    }

    /// <summary>Spreads the points of a group evenly over [-Spread, Spread] so that equal accuracies stay apart.</summary>
    private static double Offset(int i, int count) => count <= 1 ? 0 : -Spread + (2 * Spread * i / (count - 1));
}
