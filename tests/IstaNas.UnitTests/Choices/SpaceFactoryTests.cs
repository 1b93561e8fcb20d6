using IstaNas.Choices;
using IstaNas.Data;
using static TorchSharp.torch;

namespace IstaNas.Tests.Choices;

/// <summary>UseSpace(classes => ...) gives the factory the training set's class count.</summary>
public class SpaceFactoryTests
{
    [Fact]
    public void TheFactoryIsGivenTheTrainingSetsClassCount()
    {
        var seen = new List<int>();
        new SearchBuilder()
            .UseDataset(ImageDataset.CreateSynthetic(40, 1, imageSize: 8, classCount: 4))
            .UseSpace(classes =>
            {
                seen.Add(classes);
                return nn.Sequential(
                    ("choice", Choice.Of("layer", 1, nn.Conv2d(3, 3, 3, padding: 1), nn.Conv2d(3, 3, 1))),
                    ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("head", nn.Linear(3, classes)));
            })
            .UseTwoStage(o => o.BatchSize = 8)
            .Build();
        Assert.NotEmpty(seen);
        Assert.All(seen, c => Assert.Equal(4, c));
    }
}
