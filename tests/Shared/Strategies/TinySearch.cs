using IstaNas.Data;

namespace IstaNas.Tests.Strategies;

/// <summary>Tiny settings that make a search run in seconds on 2 cores.</summary>
internal static class TinySearch
{
    public static ImageDataset Data(int count = 192, int size = 16, int seed = 5) =>
        ImageDataset.CreateSynthetic(count, seed, imageSize: size, noiseStd: 0.05);

    public static void Configure(TrainingOptions o, int epochs = 2, int steps = 3)
    {
        o.Epochs = epochs;
        o.Channels = 4;
        o.Layers = 3;
        o.BatchSize = 16;
        o.MaxStepsPerEpoch = steps;
        o.LearningRate = 0.05;
        o.LearningRateMin = 0.01;
    }
}
