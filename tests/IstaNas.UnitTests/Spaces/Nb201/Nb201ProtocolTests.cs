using IstaNas.Spaces.Nb201;

namespace IstaNas.Tests.Spaces.Nb201;

public class Nb201ProtocolTests
{
    /// <summary>The values of D-X-Y/AutoDL-Projects configs/nas-benchmark/hyper-opts/200E.config (= CIFAR.config).</summary>
    [Fact]
    public void TheBenchmarkPresetIsThe200EpochConfig()
    {
        var p = Nb201Protocol.Benchmark;
        Assert.Equal(200, p.Epochs);
        Assert.Equal(256, p.BatchSize);
        Assert.Equal(0.1, p.LearningRate);
        Assert.Equal(0.0, p.LearningRateMin);
        Assert.Equal(0.9, p.Momentum);
        Assert.True(p.Nesterov);
        Assert.Equal(5e-4, p.WeightDecay);
        Assert.Equal(0.0, p.GradClip);
        Assert.True(p.Augment);
        Assert.Equal(4, p.CropPadding);
        Assert.Equal((16, 5), (p.Channels, p.CellsPerStage));
        Assert.Equal(125.3f / 255, p.Mean[0]);
        Assert.Equal(66.7f / 255, p.Std[2]);
        Assert.Equal(12, Nb201Protocol.TwelveEpochs.Epochs);
        Assert.Equal(p with { Epochs = 12 }, Nb201Protocol.TwelveEpochs with { Mean = p.Mean, Std = p.Std });
    }

    [Fact]
    public void TheLearningRateFollowsThePerEpochCosineToZero()
    {
        var p = Nb201Protocol.Benchmark;
        Assert.Equal(0.1, p.LearningRateAt(0), 12);
        Assert.Equal(0.05, p.LearningRateAt(100), 12);
        Assert.Equal(0.1 * (1 + Math.Cos(Math.PI * 199 / 200)) / 2, p.LearningRateAt(199), 12);
        Assert.Equal(0.0, p.LearningRateAt(200));
    }
}
