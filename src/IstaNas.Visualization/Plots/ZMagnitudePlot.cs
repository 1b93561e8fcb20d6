using IstaNas.Architecture;
using IstaNas.Training;
using IstaNas.Visualization.Drawing;
using ScottPlot;
using SkiaSharp;

namespace IstaNas.Visualization.Plots;

/// <summary>
/// |z| per candidate across epochs, one panel per node (rows: cells, columns: nodes). Candidate c of a node is
/// (predecessor c / K, operation c % K) for the K operations: every line has its operation's colour; the
/// <c>strongest</c> candidates of the last epoch (the ones the genotype keeps) are thick and named by their
/// predecessor, the others thin and pale.
/// </summary>
internal static class ZMagnitudePlot
{
    private const int PanelWidth = 340, PanelHeight = 260, Margin = 12, Header = 44;

    /// <summary>The PNG; null when the history has no |z|.</summary>
    public static byte[]? Render(IReadOnlyList<EpochReport> history, IReadOnlyList<string>? operations, int strongest)
    {
        string[] keys = NodeKeys.Ordered(history.SelectMany(r => r.ZMagnitude.Keys));
        if (keys.Length == 0) return null;
        IReadOnlyList<string> ops = operations is { Count: > 0 } ? operations : Operations.Default;
        string[] cells = keys.Select(NodeKeys.Cell).Distinct().ToArray();
        int columns = keys.GroupBy(NodeKeys.Cell).Max(g => g.Count());
        string[] colours = ops.Select((name, i) => Colours.Operation(name, i)).ToArray();

        EmbeddedFonts.Register();
        using var title = new SKFont(EmbeddedFonts.Typeface(bold: true), 18);
        using var text = new SKFont(EmbeddedFonts.Typeface(bold: false), 14);
        using var ink = new SKPaint { Color = SKColor.Parse(Colours.Ink), IsAntialias = true };
        int width = 2 * Margin + columns * PanelWidth;
        var legend = LegendRows(ops, colours, text, width - 2 * Margin);
        int legendHeight = legend.Count * 24 + 30;
        int height = Header + cells.Length * PanelHeight + legendHeight + Margin;

        using SKSurface surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawText("|z| per candidate (operation, predecessor) across epochs", width / 2f, 28, SKTextAlign.Center, title, ink);
        for (int r = 0; r < cells.Length; r++)
            for (int c = 0; c < columns; c++)
            {
                string key = $"{cells[r]}/{c}";
                if (!keys.Contains(key)) continue;
                using Plot panel = Panel(history, key, ops, colours, strongest, xLabel: r == cells.Length - 1, yLabel: c == 0);
                float left = Margin + c * PanelWidth, top = Header + r * PanelHeight;
                var rect = new PixelRect(left, left + PanelWidth - 6, top + PanelHeight - 6, top);
                canvas.Save();
                canvas.ClipRect(new SKRect(rect.Left, rect.Top, rect.Right, rect.Bottom)); // a plot paints its background over the whole canvas
                panel.Render(canvas, rect);
                canvas.Restore();
            }

        float y = Header + cells.Length * PanelHeight + 16;
        foreach (var row in legend)
        {
            float x = Margin + 10;
            foreach ((string name, string colour, float w) in row)
            {
                using var stroke = new SKPaint { Color = SKColor.Parse(colour), StrokeWidth = 3, IsAntialias = true };
                canvas.DrawLine(x, y - 5, x + 26, y - 5, stroke);
                canvas.DrawText(name, x + 32, y, SKTextAlign.Left, text, ink);
                x += w;
            }
            y += 24;
        }
        string phases = string.Join(", ", Enumerable.Range(1, Math.Max(0, history.Count - 1)).Where(i => history[i].Phase != history[i - 1].Phase)
            .Select(i => $"{ChartStyle.Phase(history[i - 1].Phase)} \u2192 {ChartStyle.Phase(history[i].Phase)}"));
        canvas.DrawText($"thick: the {strongest} largest |z| of each node at the last epoch (the pairs the genotype keeps), named by their predecessor" +
            (phases.Length > 0 ? $"; dashed: {phases}" : ""), Margin + 10, y + 4, SKTextAlign.Left, text, ink);
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>One node's panel.</summary>
    internal static Plot Panel(IReadOnlyList<EpochReport> history, string key, IReadOnlyList<string> ops, string[] colours, int strongest, bool xLabel, bool yLabel)
    {
        int k = ops.Count;
        var points = history.Where(r => r.ZMagnitude.ContainsKey(key)).Select(r => (X: (double)r.Epoch, Z: r.ZMagnitude[key])).ToList();
        int candidates = points.Max(p => p.Z.Length);
        double[] final = points[^1].Z;
        int[] top = Enumerable.Range(0, final.Length).Where(j => final[j] > 0 && double.IsFinite(final[j])).OrderByDescending(j => final[j]).Take(strongest).ToArray();
        Plot plot = ChartStyle.Create(NodeKeys.Display(key), xLabel ? "epoch" : "", yLabel ? "|z|" : "", titleSize: 15, labelSize: 13, tickSize: 12);
        double first = points[0].X, last = points[^1].X;
        foreach (int j in Enumerable.Range(0, candidates).OrderBy(j => top.Contains(j)))
        {
            var finite = points.Where(p => j < p.Z.Length && double.IsFinite(p.Z[j])).ToArray();
            if (finite.Length == 0) continue;
            double[] xs = finite.Select(p => p.X).ToArray();
            double[] ys = finite.Select(p => p.Z[j]).ToArray();
            bool strong = top.Contains(j);
            var line = plot.Add.ScatterLine(xs, ys, Colours.Of(colours[j % k]).WithAlpha(strong ? 1.0 : 0.35));
            line.LineWidth = strong ? 2.6f : 1f;
            line.MarkerSize = strong && xs.Length <= 30 ? 5 : 0;
        }
        double max = points.SelectMany(p => p.Z).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        double ceiling = max > 0 ? max * 1.12 : 1;
        // Names of the strongest at their last point, moved apart when they would touch.
        var ends = top.Select(j => (j, Y: final[j])).OrderByDescending(t => t.Y).ToList();
        double minGap = ceiling * 0.09, previous = double.PositiveInfinity, lowest = 0;
        foreach ((int j, double yEnd) in ends)
        {
            double y = Math.Min(yEnd, previous - minGap);
            previous = y;
            lowest = Math.Min(lowest, y);
            var name = plot.Add.Text(GenotypeEdge.InputName(j / k), last, y);
            name.LabelStyle.FontName = EmbeddedFonts.Name;
            name.LabelStyle.FontSize = 12;
            name.LabelStyle.Bold = true;
            name.LabelStyle.ForeColor = Colours.Of(colours[j % k]);
            name.LabelStyle.Alignment = Alignment.MiddleLeft;
            name.OffsetX = 6;
        }
        ChartStyle.PhaseBoundaries(plot, history);
        plot.HideLegend();
        double span = Math.Max(1, last - first);
        ChartStyle.EpochAxis(plot, (int)first, (int)last, 0.05 * span, 0.32 * span + (last == first ? 0.5 : 0), maxTicks: 6);
        plot.Axes.SetLimitsY(lowest - ceiling * 0.04, ceiling);
        return plot;
    }

    private static List<List<(string Name, string Colour, float Width)>> LegendRows(IReadOnlyList<string> ops, string[] colours, SKFont font, float width)
    {
        var rows = new List<List<(string, string, float)>> { new() };
        float x = 0;
        for (int i = 0; i < ops.Count; i++)
        {
            float w = 32 + font.MeasureText(ops[i]) + 28;
            if (x + w > width && rows[^1].Count > 0)
            {
                rows.Add([]);
                x = 0;
            }
            rows[^1].Add((ops[i], colours[i], w));
            x += w;
        }
        return rows;
    }
}
