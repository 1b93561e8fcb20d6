using System.Globalization;
using IstaNas.Architecture;
using IstaNas.Strategies;

using IstaNas.Training;

namespace IstaNas.Visualization.Plots;

/// <summary>The figures of a run's history: loss, accuracy, |z| per node and the one-stage freeze timeline.</summary>
internal static class RunPlots
{
    private const int Font = 2;
    private static readonly Rgb Train = Rgb.Parse("#1f77b4");
    private static readonly Rgb Valid = Rgb.Parse("#e06c00");

    /// <summary>Train and valid loss per epoch (x = epoch counted over all phases).</summary>
    public static Canvas Loss(IReadOnlyList<EpochReport> history) =>
        TrainValid(history, "loss per epoch", "mean cross-entropy", r => r.TrainLoss, r => r.ValidLoss, double.NaN);

    /// <summary>Train and valid top-1 accuracy (%) per epoch.</summary>
    public static Canvas Accuracy(IReadOnlyList<EpochReport> history) =>
        TrainValid(history, "top-1 accuracy per epoch", "accuracy (%)", r => 100 * r.TrainAccuracy, r => 100 * r.ValidAccuracy, 0);

    /// <summary>
    /// |z| per candidate across epochs, one small panel per node (rows: cells, columns: nodes). Candidate
    /// c of a node is (predecessor c / K, operation c % K) for the K <paramref name="operations"/>: lines take the
    /// operation's colour; the <paramref name="highlight"/> strongest candidates of the last epoch are drawn thick
    /// and labelled with their predecessor.
    /// </summary>
    public static Canvas? ZMagnitude(IReadOnlyList<EpochReport> history, IReadOnlyList<string>? operations = null, int highlight = 2)
    {
        string[] keys = NodeKeysOf(history.SelectMany(r => r.ZMagnitude.Keys));
        if (keys.Length == 0) return null;
        IReadOnlyList<string> ops = operations is { Count: > 0 } ? operations : Operations.Default;
        int k = ops.Count;
        string[] cells = keys.Select(key => key.Split('/')[0]).Distinct().ToArray();
        int columns = keys.GroupBy(key => key.Split('/')[0]).Max(g => g.Count());
        Rgb[] colours = ops.Select((n, i) => Operations.IsKnown(n) || n == Operations.None ? Rgb.Parse(CellDiagram.OperationColor(n)) : Palette(i)).ToArray();

        const int panelW = 340, panelH = 250, margin = 16, titleH = 40, legendH = 64;
        var canvas = new Canvas(columns * panelW + 2 * margin, titleH + cells.Length * panelH + legendH + margin, Rgb.White);
        canvas.TextCentered(canvas.Width / 2.0, 18, "|z| per candidate (operation, predecessor) across epochs", Chart.TextColor, 3);
        for (int r = 0; r < cells.Length; r++)
            for (int c = 0; c < columns; c++)
            {
                string key = $"{cells[r]}/{c}";
                if (!keys.Contains(key)) continue;
                var points = history.Select((rep, i) => (X: i + 1.0, Z: rep.ZMagnitude.TryGetValue(key, out double[]? z) ? z : null))
                    .Where(p => p.Z is not null).ToList();
                int candidates = points.Max(p => p.Z!.Length);
                double[] final = points[^1].Z!;
                var strongest = Enumerable.Range(0, final.Length).OrderByDescending(j => final[j]).Take(highlight).Where(j => final[j] > 0).ToHashSet();
                var series = Enumerable.Range(0, candidates).Select(j => new Series($"{ops[j % k]}({GenotypeEdge.InputName(j / k)})",
                        strongest.Contains(j) ? colours[j % k] : Lighter(colours[j % k]),
                        points.Select(p => p.X).ToArray(),
                        points.Select(p => j < p.Z!.Length ? p.Z[j] : double.NaN).ToArray())
                    {
                        Weight = strongest.Contains(j) ? 2 : 0.7,
                        EndLabel = strongest.Contains(j) ? ShortInput(j / k) : null,
                    })
                    .OrderBy(s => s.Weight) // strongest on top
                    .ToList();
                Chart.Panel(canvas, margin + c * panelW, titleH + r * panelH, panelW - 10, panelH - 8,
                    $"{cells[r]} node {c}", r == cells.Length - 1 ? "epoch" : null, c == 0 ? "|z|" : null, series, yMin: 0, scale: Font);
            }
        double y = titleH + cells.Length * panelH + 6;
        double h = Chart.Legend(canvas, margin + 20, y, canvas.Width - 2 * margin - 20, ops.Select((n, i) => new Series(n, colours[i], [], [])), Font);
        canvas.Text(margin + 20, y + h, $"thick: the {highlight} largest |z| of each node at the last epoch, labelled with the predecessor (k-2, k-1, n0, ...)", Chart.TextColor, Font);
        return canvas;
    }

    private static Rgb Lighter(Rgb c) => new((byte)((c.R + 255 * 1.2) / 2.2), (byte)((c.G + 255 * 1.2) / 2.2), (byte)((c.B + 255 * 1.2) / 2.2));

    private static string ShortInput(int input) => input switch { 0 => "k-2", 1 => "k-1", _ => $"n{input - 2}" };

    /// <summary>Per node: when it froze in a one-stage search (null when no epoch froze any node).</summary>
    public static Canvas? FreezeTimeline(IReadOnlyList<EpochReport> history)
    {
        if (!history.Any(r => r.FrozenNodes.Count > 0)) return null;
        string[] keys = NodeKeysOf(history.SelectMany(r => r.FrozenNodes).Concat(history.SelectMany(r => r.ZMagnitude.Keys)));
        int epochs = history.Count;
        var frozenAt = keys.ToDictionary(k => k, k =>
        {
            int i = history.ToList().FindIndex(r => r.FrozenNodes.Contains(k));
            return i < 0 ? (int?)null : i + 1;
        });

        int th = Canvas.TextHeight(Font), rowH = 30, labelW = Canvas.TextWidth("reduce/0", Font) + 20;
        int left = 20 + labelW, right = 170, top = 60, plotW = Math.Max(480, Math.Min(1200, epochs * 24));
        var canvas = new Canvas(left + plotW + right, top + keys.Length * rowH + 70, Rgb.White);
        canvas.TextCentered(canvas.Width / 2.0, 20, "one-stage search: when each node froze", Chart.TextColor, 3);
        double X(double e) => left + (e - 0.5) / epochs * plotW;
        (double _, double _, double step) = Ticks.Nice(1, epochs, 8);
        step = Math.Max(1, step);
        double bottom = top + keys.Length * rowH;
        foreach (double v in Ticks.Values(step > 1 ? step : 1, epochs, step))
        {
            canvas.Line(X(v), top, X(v), bottom, Chart.Grid, 1);
            canvas.TextCentered(X(v), bottom + 8 + th / 2.0, Ticks.Format(v, step), Chart.TextColor, Font);
        }
        canvas.TextCentered(left + plotW / 2.0, bottom + 20 + th * 2, "epoch", Chart.TextColor, Font);
        string? phaseChange = null;
        for (int i = 1; i < history.Count; i++)
            if (history[i].Phase != history[i - 1].Phase)
            {
                canvas.Line(X(i + 0.5), top - 6, X(i + 0.5), bottom, Rgb.Grey(0x90), 1.5, dash: 8);
                phaseChange = history[i].Phase.ToString().ToLowerInvariant();
                canvas.Text(X(i + 0.5) + 4, top - 16, phaseChange, Rgb.Grey(0x70), Font);
            }
        for (int k = 0; k < keys.Length; k++)
        {
            double y = top + k * rowH;
            canvas.Text(20, y + (rowH - th) / 2.0, keys[k], Chart.TextColor, Font);
            canvas.FillRect(X(0.5), y + 8, X(epochs + 0.5), y + rowH - 8, Rgb.Grey(0xEC));
            Rgb colour = keys[k].StartsWith("reduce", StringComparison.Ordinal) ? Rgb.Parse("#9467bd") : Rgb.Parse("#2ca02c");
            string note;
            if (frozenAt[keys[k]] is int e)
            {
                canvas.FillRect(X(e - 0.5), y + 6, X(epochs + 0.5), y + rowH - 6, colour, 0.85);
                canvas.FillCircle(X(e - 0.5), y + rowH / 2.0, 5, colour);
                note = string.Create(CultureInfo.InvariantCulture, $"frozen at {e}");
            }
            else
            {
                note = "never frozen";
            }
            canvas.Text(left + plotW + 12, y + (rowH - th) / 2.0, note, Chart.TextColor, Font);
        }
        canvas.Line(X(0.5), bottom, X(epochs + 0.5), bottom, Chart.Axis, 1.2);
        return canvas;
    }

    private static Canvas TrainValid(IReadOnlyList<EpochReport> history, string title, string yLabel,
        Func<EpochReport, double> train, Func<EpochReport, double> valid, double yMin)
    {
        double[] x = Enumerable.Range(1, history.Count).Select(i => (double)i).ToArray();
        var series = new List<Series>
        {
            new("train", Train, x, history.Select(train).ToArray()),
            new("valid", Valid, x, history.Select(valid).ToArray()),
        }.Where(s => s.HasData).ToList();
        var canvas = new Canvas(960, 600, Rgb.White);
        var separators = new List<(double, string)>();
        for (int i = 1; i < history.Count; i++)
            if (history[i].Phase != history[i - 1].Phase)
                separators.Add((i + 0.5, history[i].Phase.ToString().ToLowerInvariant()));
        Chart.Panel(canvas, 16, 16, canvas.Width - 32, canvas.Height - 70, title, "epoch", yLabel, series, yMin, separators, Font);
        if (series.Count == 0)
            canvas.TextCentered(canvas.Width / 2.0, canvas.Height / 2.0, "no data", Chart.TextColor, 3);
        Chart.Legend(canvas, 110, canvas.Height - 36, canvas.Width - 130, series, Font);
        return canvas;
    }

    /// <summary>Node keys ("normal/0" ..) in order: normal before reduce, then by node index.</summary>
    private static string[] NodeKeysOf(IEnumerable<string> keys) =>
        keys.Distinct()
            .OrderBy(k => k.StartsWith("normal", StringComparison.Ordinal) ? 0 : k.StartsWith("reduce", StringComparison.Ordinal) ? 1 : 2)
            .ThenBy(k => k.Split('/')[0], StringComparer.Ordinal)
            .ThenBy(k => int.TryParse(k.Split('/').Last(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue)
            .ThenBy(k => k, StringComparer.Ordinal)
            .ToArray();

    private static Rgb Palette(int i)
    {
        string[] p = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
        return Rgb.Parse(p[i % p.Length]);
    }
}
