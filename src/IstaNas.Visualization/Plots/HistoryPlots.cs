using IstaNas.Training;
using IstaNas.Visualization.Drawing;
using ScottPlot;

namespace IstaNas.Visualization.Plots;

/// <summary>
/// Loss, accuracy and learning-rate plots of a history, for a search (train and valid, test when measured) and for an
/// evaluation run (train and test, top-1 and top-5). Each returns null when the history has nothing to show.
/// </summary>
internal static class HistoryPlots
{
    /// <summary>Mean cross-entropy per epoch: train, valid (the architecture split), test.</summary>
    public static Plot? Loss(IReadOnlyList<EpochReport> history)
    {
        if (history.Count == 0) return null;
        Plot plot = ChartStyle.Create("loss per epoch", "epoch", "mean cross-entropy");
        ChartStyle.Series(plot, history, r => r.TrainLoss, Colours.Train, "train");
        ChartStyle.Series(plot, history, r => r.ValidLoss, Colours.Valid, "valid (architecture split)");
        ChartStyle.Series(plot, history, r => r.TestLoss, Colours.Test, "test");
        return Finish(plot, history, zeroBased: false);
    }

    /// <summary>Accuracy (%) per epoch: train and valid top-1, test top-1 and top-5.</summary>
    public static Plot? Accuracy(IReadOnlyList<EpochReport> history)
    {
        if (history.Count == 0) return null;
        Plot plot = ChartStyle.Create("accuracy per epoch", "epoch", "accuracy (%)");
        ChartStyle.Series(plot, history, r => 100 * r.TrainAccuracy, Colours.Train, "train top-1");
        ChartStyle.Series(plot, history, r => 100 * r.ValidAccuracy, Colours.Valid, "valid top-1 (architecture split)");
        ChartStyle.Series(plot, history, r => 100 * r.TestAccuracy, Colours.Test, "test top-1");
        ChartStyle.Series(plot, history, r => 100 * r.TestTop5, Colours.Top5, "test top-5");
        return Finish(plot, history, zeroBased: true, ceiling: 100);
    }

    /// <summary>The learning rate of the weights per epoch, and the drop-path probability (right axis) when it is used.</summary>
    public static Plot? LearningRate(IReadOnlyList<EpochReport> history)
    {
        if (history.Count == 0) return null;
        bool dropPath = history.Any(r => r.DropPathProbability > 0);
        Plot plot = ChartStyle.Create(dropPath ? "learning rate and drop path" : "learning rate", "epoch", "learning rate");
        ChartStyle.Series(plot, history, r => r.LearningRate, Colours.Train, "learning rate");
        if (dropPath)
        {
            var drop = ChartStyle.Series(plot, history, r => r.DropPathProbability, Colours.Valid, "drop-path probability (right axis)");
            if (drop is not null) drop.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "drop-path probability";
            plot.Axes.Right.Label.FontSize = 15;
            plot.Axes.Right.Label.FontName = EmbeddedFonts.Name;
            plot.Axes.Right.TickLabelStyle.FontName = EmbeddedFonts.Name;
            plot.Axes.Right.TickLabelStyle.FontSize = 13;
        }
        Finish(plot, history, zeroBased: true);
        if (dropPath) plot.Axes.SetLimitsY(-0.015 * 1.1 * history.Max(r => r.DropPathProbability), history.Max(r => r.DropPathProbability) * 1.1, plot.Axes.Right);
        return plot;
    }

    private static Plot Finish(Plot plot, IReadOnlyList<EpochReport> history, bool zeroBased, double ceiling = double.PositiveInfinity)
    {
        ChartStyle.PhaseBoundaries(plot, history);
        ChartStyle.LegendBelow(plot);
        plot.Axes.AutoScale();
        var values = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Where(s => s.Axes.YAxis == plot.Axes.Left)
            .SelectMany(s => s.Data.GetScatterPoints().Select(p => p.Y)).Where(double.IsFinite).ToArray();
        if (values.Length > 0)
        {
            double low = zeroBased ? 0 : values.Min(), high = values.Max();
            double pad = Math.Max((high - low) * 0.1, Math.Abs(high) * 0.005 + 1e-9);
            plot.Axes.SetLimitsY(zeroBased ? -0.015 * (high + pad) : low - pad, Math.Min(ceiling, high + pad), plot.Axes.Left);
        }
        ChartStyle.EpochAxis(plot, history.Min(r => r.Epoch), history.Max(r => r.Epoch), 0.25, 0.25);
        return plot;
    }
}
