using IstaNas.Training;
using IstaNas.Visualization.Drawing;
using ScottPlot;
using ScottPlot.Plottables;

namespace IstaNas.Visualization.Plots;

/// <summary>The look every history plot shares: the embedded font at sizes readable at 100 %, epochs on x.</summary>
internal static class ChartStyle
{
    /// <summary>Width of a single plot (pixels).</summary>
    public const int Width = 900;

    /// <summary>Height of a single plot.</summary>
    public const int Height = 520;

    /// <summary>A plot with a title, axis labels and the shared fonts.</summary>
    public static Plot Create(string title, string xLabel, string yLabel, float titleSize = 18, float labelSize = 15, float tickSize = 13)
    {
        EmbeddedFonts.Register();
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Title(title, titleSize);
        plot.XLabel(xLabel, labelSize);
        plot.YLabel(yLabel, labelSize);
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.TickLabelStyle.FontSize = tickSize;
            axis.TickLabelStyle.FontName = EmbeddedFonts.Name;
            axis.Label.FontName = EmbeddedFonts.Name;
        }
        plot.Axes.Title.Label.FontName = EmbeddedFonts.Name;
        plot.Axes.Title.Label.Bold = true;
        plot.Grid.MajorLineColor = Color.FromHex("#e6e6e6");
        plot.Legend.FontName = EmbeddedFonts.Name;
        plot.Legend.FontSize = labelSize - 1;
        return plot;
    }

    /// <summary>
    /// Epoch ticks at whole epochs from <paramref name="first"/> to <paramref name="last"/> (every 1, 2, 5, 10, ... so at
    /// most about <paramref name="maxTicks"/>), x from <paramref name="first"/> - <paramref name="padLeft"/> to
    /// <paramref name="last"/> + <paramref name="padRight"/>.
    /// </summary>
    public static void EpochAxis(Plot plot, int first, int last, double padLeft, double padRight, int maxTicks = 10)
    {
        int step = new[] { 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000 }
            .FirstOrDefault(s => (last - first) / s + 1 <= maxTicks, Math.Max(1, (last - first) / maxTicks));
        int start = (int)Math.Ceiling(first / (double)step) * step;
        var ticks = new List<double> { first };
        for (int e = start; e <= last; e += step)
            if (e - first >= step / 2.0) ticks.Add(e);
        if (last - ticks[^1] >= step / 2.0) ticks.Add(last);
        plot.Axes.Bottom.SetTicks([.. ticks], [.. ticks.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.Bottom.TickLabelStyle.FontName = EmbeddedFonts.Name;
        plot.Axes.SetLimitsX(first - padLeft, Math.Max(last, first + 1) + padRight);
    }

    /// <summary>A dashed vertical line where the phase changes (one-stage search: search, then training), named in the legend.</summary>
    public static void PhaseBoundaries(Plot plot, IReadOnlyList<EpochReport> history)
    {
        for (int i = 1; i < history.Count; i++)
        {
            if (history[i].Phase == history[i - 1].Phase) continue;
            VerticalLine line = plot.Add.VerticalLine((history[i - 1].Epoch + history[i].Epoch) / 2.0, 1.5f, Color.FromHex("#888888"), LinePattern.Dashed);
            line.LegendText = $"{Phase(history[i - 1].Phase)} \u2192 {Phase(history[i].Phase)}";
        }
    }

    /// <summary>A line with markers through the finite points of <paramref name="y"/>; null when there are none.</summary>
    public static Scatter? Series(Plot plot, IReadOnlyList<EpochReport> history, Func<EpochReport, double> y, string color, string legend, float width = 2)
    {
        var points = history.Select(r => (X: (double)r.Epoch, Y: y(r))).Where(p => double.IsFinite(p.Y)).ToArray();
        if (points.Length == 0) return null;
        Scatter s = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Colours.Of(color));
        s.LegendText = legend;
        s.LineWidth = width;
        s.MarkerSize = points.Length <= 40 ? 6 : 0;
        return s;
    }

    /// <summary>The legend below the data, in a row.</summary>
    public static void LegendBelow(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.ShadowColor = Colors.Transparent;
        plot.Legend.OutlineColor = Color.FromHex("#cccccc");
    }

    /// <summary>A small label beside a data point (a seed, an architecture index) in the embedded font.</summary>
    public static void PointLabel(Plot plot, string text, double x, double y, float size, Alignment alignment, float offsetY = 0)
    {
        var label = plot.Add.Text(text, x, y);
        label.LabelStyle.FontName = EmbeddedFonts.Name;
        label.LabelStyle.FontSize = size;
        label.LabelStyle.ForeColor = Colours.Of(Colours.Ink);
        label.LabelStyle.Alignment = alignment;
        label.OffsetX = 6;
        label.OffsetY = offsetY;
    }

    /// <summary>Renders to PNG bytes.</summary>
    public static byte[] Png(Plot plot, int width = Width, int height = Height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>"search", "train" or "evaluate".</summary>
    public static string Phase(TrainingPhase phase) => phase.ToString().ToLowerInvariant();
}
