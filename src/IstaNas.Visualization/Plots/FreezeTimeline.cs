using IstaNas.Training;
using IstaNas.Visualization.Drawing;
using ScottPlot;

namespace IstaNas.Visualization.Plots;

/// <summary>
/// The one-stage freeze timeline: one row per node, a bar from the epoch after which the node froze to the last
/// epoch (a node frozen after epoch e is frozen from e on); the axis starts at the first epoch.
/// </summary>
internal static class FreezeTimeline
{
    /// <summary>Per node (in picture order): the epoch after which it froze, or null when it never did.</summary>
    public static IReadOnlyList<(string Node, int? FrozenAfter)> Freezes(IReadOnlyList<EpochReport> history) =>
        NodeKeys.Ordered(history.SelectMany(r => r.FrozenNodes).Concat(history.SelectMany(r => r.ZMagnitude.Keys)))
            .Select(key => (key, history.FirstOrDefault(r => r.FrozenNodes.Contains(key))?.Epoch))
            .ToArray();

    /// <summary>The plot; null when no node froze.</summary>
    public static Plot? Build(IReadOnlyList<EpochReport> history)
    {
        if (!history.Any(r => r.FrozenNodes.Count > 0)) return null;
        IReadOnlyList<(string Node, int? FrozenAfter)> rows = Freezes(history);
        int first = history.Min(r => r.Epoch), last = history.Max(r => r.Epoch);
        double right = Math.Max(last, first + 1);
        Plot plot = ChartStyle.Create("one-stage search: when each node froze", "epoch", "");
        var positions = new double[rows.Count];
        var names = new string[rows.Count];
        var notes = new string[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            double y = rows.Count - 1 - i; // first row on top
            positions[i] = y;
            names[i] = NodeKeys.Display(rows[i].Node);
            string colour = NodeKeys.Cell(rows[i].Node) == "reduce" ? "#9467bd" : "#2ca02c";
            var track = plot.Add.Rectangle(first, right, y - 0.3, y + 0.3);
            track.FillColor = Color.FromHex("#eeeeee");
            track.LineWidth = 0;
            if (rows[i].FrozenAfter is int e)
            {
                var bar = plot.Add.Rectangle(e, right, y - 0.3, y + 0.3);
                bar.FillColor = Colours.Of(colour);
                bar.LineWidth = 0;
                if (e >= right) plot.Add.Marker(e, y, MarkerShape.FilledDiamond, 14, Colours.Of(colour)); // frozen after the last epoch
                notes[i] = $"frozen after epoch {e}";
            }
            else
            {
                notes[i] = "not frozen";
            }
        }
        plot.Axes.Left.SetTicks(positions, names);
        plot.Axes.Right.SetTicks(positions, notes);
        plot.Axes.Right.TickLabelStyle.FontName = EmbeddedFonts.Name;
        plot.Axes.Right.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        ChartStyle.PhaseBoundaries(plot, history);
        if (plot.GetPlottables<ScottPlot.Plottables.VerticalLine>().Any()) ChartStyle.LegendBelow(plot);
        else plot.HideLegend();
        plot.Axes.SetLimitsY(-0.7, rows.Count - 0.3);
        plot.Axes.Right.Range.Set(-0.7, rows.Count - 0.3);
        ChartStyle.EpochAxis(plot, first, last, 0, 0);
        return plot;
    }

    /// <summary>The image height for <paramref name="rows"/> rows.</summary>
    public static int HeightFor(int rows) => 170 + 40 * rows;
}
