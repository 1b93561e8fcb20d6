namespace IstaNas.Visualization.Plots;

/// <summary>Draws one line chart panel (axes, grid, ticks, lines with markers, optional phase separators) into a region of a canvas.</summary>
internal static class Chart
{
    public static readonly Rgb Grid = Rgb.Grey(0xE4);
    public static readonly Rgb Axis = Rgb.Grey(0x40);
    public static readonly Rgb TextColor = Rgb.Grey(0x20);

    /// <param name="canvas">Target.</param>
    /// <param name="left">Left of the panel region (title, tick labels and axis labels included).</param>
    /// <param name="top">Top of the panel region.</param>
    /// <param name="width">Width of the region.</param>
    /// <param name="height">Height of the region.</param>
    /// <param name="title">Panel title (drawn above the plot area).</param>
    /// <param name="xLabel">Label under the x axis (or null).</param>
    /// <param name="yLabel">Label left of the y axis (or null).</param>
    /// <param name="series">Lines.</param>
    /// <param name="yMin">Lower end of the y range, or NaN to fit the data.</param>
    /// <param name="separators">Vertical dashed lines at these x positions, with a caption each.</param>
    /// <param name="scale">Font scale.</param>
    public static void Panel(Canvas canvas, double left, double top, double width, double height, string title, string? xLabel, string? yLabel,
        IReadOnlyList<Series> series, double yMin = double.NaN, IReadOnlyList<(double X, string Caption)>? separators = null, int scale = 2)
    {
        double[] xs = series.SelectMany(s => s.X).Where(double.IsFinite).ToArray();
        double[] ys = series.SelectMany(s => s.Y).Where(double.IsFinite).ToArray();
        double xMin = xs.Length == 0 ? 0 : xs.Min(), xMax = xs.Length == 0 ? 1 : xs.Max();
        if (xMax - xMin < 1e-12) { xMin -= 1; xMax += 1; }
        double dataMin = ys.Length == 0 ? 0 : ys.Min(), dataMax = ys.Length == 0 ? 1 : ys.Max();
        if (double.IsFinite(yMin)) dataMin = Math.Min(yMin, dataMin);
        (double y0, double y1, double yStep) = Ticks.Nice(dataMin, dataMax, height > 300 ? 6 : 4);
        (double xt0, double xt1, double xStep) = Ticks.Nice(xMin, xMax, width > 500 ? 8 : 4);
        if (xStep < 1) xStep = 1; // epochs are integers

        int th = Canvas.TextHeight(scale);
        string[] yTickText = Ticks.Values(y0, y1, yStep).Select(v => Ticks.Format(v, yStep)).ToArray();
        double yTickWidth = yTickText.Max(t => Canvas.TextWidth(t, scale));
        double plotLeft = left + (yLabel is null ? 0 : th + 3 * scale + 6) + yTickWidth + 5 * scale + 4;
        int endLabelWidth = series.Where(s => s.EndLabel is not null).Select(s => Canvas.TextWidth(s.EndLabel!, scale)).DefaultIfEmpty(0).Max();
        double plotRight = left + width - 6 * scale - (endLabelWidth > 0 ? endLabelWidth + 4 * scale : 0);
        double plotTop = top + th * 2 + 4 * scale;
        double plotBottom = top + height - th - 6 * scale - (xLabel is null ? 0 : th + 5 * scale);
        double X(double v) => plotLeft + (v - xMin) / (xMax - xMin) * (plotRight - plotLeft);
        double Y(double v) => plotBottom - (v - y0) / (y1 - y0) * (plotBottom - plotTop);

        canvas.TextCentered((plotLeft + plotRight) / 2, top + th, title, TextColor, scale);
        foreach (double v in Ticks.Values(y0, y1, yStep))
        {
            double y = Y(v);
            canvas.Line(plotLeft, y, plotRight, y, Grid, 1);
            string t = Ticks.Format(v, yStep);
            canvas.Text(plotLeft - 4 * scale - Canvas.TextWidth(t, scale), y - th / 2.0, t, TextColor, scale);
        }
        double firstX = Math.Ceiling(xMin / xStep - 1e-9) * xStep;
        foreach (double v in Ticks.Values(firstX, xMax, xStep))
        {
            double x = X(v);
            canvas.Line(x, plotTop, x, plotBottom, Grid, 1);
            canvas.Line(x, plotBottom, x, plotBottom + 3 * scale, Axis, 1);
            canvas.TextCentered(x, plotBottom + 4 * scale + th / 2.0, Ticks.Format(v, xStep), TextColor, scale);
        }
        if (separators is not null)
            foreach ((double sx, string caption) in separators)
            {
                double x = X(sx);
                canvas.Line(x, plotTop, x, plotBottom, Rgb.Grey(0x90), 1.5, dash: 5 * scale);
                canvas.Text(x + 3 * scale, plotTop + 2 * scale, caption, Rgb.Grey(0x70), scale);
            }
        canvas.Line(plotLeft, plotBottom, plotRight, plotBottom, Axis, 1.2);
        canvas.Line(plotLeft, plotTop, plotLeft, plotBottom, Axis, 1.2);
        if (xLabel is not null)
            canvas.TextCentered((plotLeft + plotRight) / 2, plotBottom + 4 * scale + th * 2 + 5 * scale, xLabel, TextColor, scale);
        if (yLabel is not null)
            canvas.TextVertical(left, (plotTop + plotBottom) / 2 + Canvas.TextWidth(yLabel, scale) / 2.0, yLabel, TextColor, scale);

        bool markers = xs.Distinct().Count() <= 40 && series.Count <= 10;
        var endLabels = new List<(double X, double Y, string Text, Rgb Color)>();
        foreach (Series s in series)
        {
            var run = new List<(double, double)>();
            void Flush()
            {
                if (run.Count > 1) canvas.StrokePolyline(run, s.Color, 1.3 * scale * s.Weight, s.Dashed ? 4 * scale : 0);
                run.Clear();
            }
            for (int i = 0; i < s.X.Count; i++)
            {
                if (!double.IsFinite(s.Y[i])) { Flush(); continue; }
                run.Add((X(s.X[i]), Y(s.Y[i])));
            }
            Flush();
            int last = Enumerable.Range(0, s.X.Count).LastOrDefault(i => double.IsFinite(s.Y[i]), -1);
            if (s.EndLabel is not null && last >= 0)
                endLabels.Add((X(s.X[last]) + 4 * scale, Y(s.Y[last]) - th / 2.0, s.EndLabel, s.Color));
            if (markers)
                for (int i = 0; i < s.X.Count; i++)
                    if (double.IsFinite(s.Y[i])) canvas.FillCircle(X(s.X[i]), Y(s.Y[i]), 1.8 * scale, s.Color);
        }
        // End labels from top to bottom, pushed apart so that they do not overlap.
        double lastBottom = double.MinValue;
        foreach (var l in endLabels.OrderBy(l => l.Y))
        {
            double y = Math.Max(l.Y, lastBottom + 2 * scale);
            canvas.Text(l.X, y, l.Text, l.Color, scale);
            lastBottom = y + th;
        }
    }

    /// <summary>A horizontal legend (coloured line + name per series) starting at (x, y), wrapping at <paramref name="maxWidth"/>; returns its height.</summary>
    public static double Legend(Canvas canvas, double x, double y, double maxWidth, IEnumerable<Series> series, int scale = 2)
    {
        double cx = x, cy = y, th = Canvas.TextHeight(scale), lineHeight = th + 6 * scale;
        foreach (Series s in series)
        {
            double w = 14 * scale + 4 * scale + Canvas.TextWidth(s.Name, scale) + 12 * scale;
            if (cx > x && cx + w > x + maxWidth) { cx = x; cy += lineHeight; }
            canvas.Line(cx, cy + th / 2.0, cx + 14 * scale, cy + th / 2.0, s.Color, 1.6 * scale, s.Dashed ? 4 * scale : 0);
            canvas.Text(cx + 18 * scale, cy, s.Name, TextColor, scale);
            cx += w;
        }
        return cy - y + lineHeight;
    }
}
