using IstaNas.Visualization.Plots;
using ScottPlot;
using ScottPlot.Plottables;

namespace IstaNas.Tests.Visualization;

/// <summary>What the history plots contain: series, axes and the freeze bars, checked on the ScottPlot objects.</summary>
public class HistoryPlotsTests
{
    [Fact]
    public void FreezeBarsStartAtTheFreezeEpochAndTheAxisAtEpochOne()
    {
        var run = FakeHistories.OneStage(searchEpochs: 10, trainEpochs: 5);
        using Plot plot = FreezeTimeline.Build(run.History)!;
        var rows = FreezeTimeline.Freezes(run.History);
        Assert.Equal(FakeHistories.NodeKeys, rows.Select(r => r.Node));
        for (int k = 0; k < rows.Count; k++)
        {
            int after = FakeHistories.FrozenAfter(k);
            Assert.Equal(after <= 10 ? after : 11, rows[k].FrozenAfter); // node 5 froze when the search ended
        }

        // Tracks span the run; bars (coloured) start exactly at the freeze epoch and end at the last epoch.
        var rectangles = plot.GetPlottables<Rectangle>().ToArray();
        var tracks = rectangles.Where(r => r.FillColor == Color.FromHex("#eeeeee")).ToArray();
        var bars = rectangles.Except(tracks).OrderByDescending(r => r.Y1).ToArray();
        Assert.Equal(8, tracks.Length);
        Assert.All(tracks, t => Assert.Equal((1.0, 15.0), (t.X1, t.X2)));
        Assert.Equal(rows.Select(r => (double)r.FrozenAfter!.Value), bars.Select(b => b.X1));
        Assert.All(bars, b => Assert.Equal(15, b.X2));
        Assert.DoesNotContain(bars, b => b.X1 < 1);

        plot.RenderInMemory(ChartStyle.Width, FreezeTimeline.HeightFor(rows.Count));
        AxisLimits limits = plot.Axes.GetLimits();
        Assert.Equal(1, limits.Left);
        Assert.Equal(15, limits.Right);
        Assert.All(plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor), t => Assert.InRange(t.Position, 1, 15));
        Assert.Contains("frozen after epoch 1", plot.Axes.Right.TickGenerator.Ticks.Select(t => t.Label));
        Assert.Contains("normal n0", plot.Axes.Left.TickGenerator.Ticks.Select(t => t.Label)); // the names Genotype.ToString() uses
        // The search → train boundary, between epochs 10 and 11.
        Assert.Equal(10.5, Assert.Single(plot.GetPlottables<VerticalLine>()).X);
    }

    [Fact]
    public void NothingFrozeMeansNoTimelineAndNoZMeansNoZPlot()
    {
        var run = FakeHistories.TwoStage();
        Assert.Null(FreezeTimeline.Build(run.History));
        Assert.NotNull(ZMagnitudePlot.Render(run.History, null, 2));
        var evaluation = FakeHistories.Evaluation();
        Assert.Null(ZMagnitudePlot.Render(evaluation.History, null, 2));
        Assert.Null(FreezeTimeline.Build(evaluation.History));
        Assert.Null(HistoryPlots.Loss([]));
    }

    [Fact]
    public void SearchCurvesShowTrainAndValidAndTestWhenMeasured()
    {
        var history = FakeHistories.TwoStage().History;
        Assert.Equal(["train", "valid (architecture split)"], Legend(HistoryPlots.Loss(history)!));
        Assert.Equal(["train top-1", "valid top-1 (architecture split)"], Legend(HistoryPlots.Accuracy(history)!));
        var tested = history.Select(r => r with { TestLoss = 2, TestAccuracy = 0.3, TestTop5 = 0.8 }).ToArray();
        Assert.Equal(["train", "valid (architecture split)", "test"], Legend(HistoryPlots.Loss(tested)!));
        Assert.Equal(["train top-1", "valid top-1 (architecture split)", "test top-1", "test top-5"], Legend(HistoryPlots.Accuracy(tested)!));
        // NaN epochs are left out rather than drawn.
        Scatter valid = HistoryPlots.Loss(history)!.GetPlottables<Scatter>().Single(s => s.LegendText.StartsWith("valid", StringComparison.Ordinal));
        Assert.Equal(history.Count(r => double.IsFinite(r.ValidLoss)), valid.Data.GetScatterPoints().Count);
    }

    [Fact]
    public void EvaluationCurvesShowTrainAgainstTestTopOneAndTopFiveAndDropPath()
    {
        var history = FakeHistories.Evaluation().History;
        Assert.Equal(["train", "test"], Legend(HistoryPlots.Loss(history)!));
        using Plot accuracy = HistoryPlots.Accuracy(history)!;
        Assert.Equal(["train top-1", "test top-1", "test top-5"], Legend(accuracy));
        Scatter top5 = accuracy.GetPlottables<Scatter>().Single(s => s.LegendText == "test top-5");
        Assert.Equal(history.Select(r => 100 * r.TestTop5), top5.Data.GetScatterPoints().Select(p => p.Y));
        using Plot rate = HistoryPlots.LearningRate(history)!;
        Assert.Equal(["learning rate", "drop-path probability (right axis)"], Legend(rate));
        Assert.Same(rate.Axes.Right, rate.GetPlottables<Scatter>().Single(s => s.LegendText.StartsWith("drop", StringComparison.Ordinal)).Axes.YAxis);
    }

    [Fact]
    public void ASingleEpochWithoutValidationStillDraws()
    {
        EpochReport[] history = [FakeHistories.TwoStage(1).History[0] with { ValidLoss = double.NaN, ValidAccuracy = double.NaN }];
        foreach (Plot? plot in new[] { HistoryPlots.Loss(history), HistoryPlots.Accuracy(history), HistoryPlots.LearningRate(history) })
        {
            Assert.NotNull(plot);
            PngReader.Image image = PngReader.Decode(ChartStyle.Png(plot));
            Assert.Equal((ChartStyle.Width, ChartStyle.Height), (image.Width, image.Height));
            plot.Dispose();
        }
        PngReader.Image z = PngReader.Decode(ZMagnitudePlot.Render(history, null, 2)!);
        Assert.True(z.DistinctColours() > 100);
    }

    private static string[] Legend(Plot plot) =>
        plot.GetPlottables<Scatter>().Select(s => s.LegendText).ToArray();
}
