using IstaNas.Visualization.Plots;
using IstaNas.Strategies;

namespace IstaNas.Tests.Visualization;

public class RunPlotsTests
{
    private static EpochReport Epoch(int e, double valid = double.NaN) => new()
    {
        Epoch = e,
        Epochs = 1,
        LearningRate = 0.1,
        TrainLoss = 2.3,
        TrainAccuracy = 0.1,
        ValidLoss = valid,
        ValidAccuracy = valid,
        ZMagnitude = new Dictionary<string, double[]> { ["normal/0"] = new double[14], ["reduce/0"] = new double[14] },
        Elapsed = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public void ASingleEpochWithoutValidationStillDraws()
    {
        EpochReport[] history = [Epoch(1)];
        foreach (Canvas c in new[] { RunPlots.Loss(history), RunPlots.Accuracy(history), RunPlots.ZMagnitude(history)! })
        {
            PngReader.Image image = PngReader.Decode(c.ToPng());
            Assert.True(image.Rgb.Distinct().Count() > 2);
        }
        Assert.Null(RunPlots.FreezeTimeline(history)); // nothing froze: no timeline
    }

    [Fact]
    public void NoZMagnitudesMeansNoZPlot()
    {
        EpochReport[] history = [Epoch(1, 2.0) with { ZMagnitude = new Dictionary<string, double[]>() }];
        Assert.Null(RunPlots.ZMagnitude(history));
    }
}
