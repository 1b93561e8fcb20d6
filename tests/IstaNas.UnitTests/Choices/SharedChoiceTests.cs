using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Spaces.Nb201;
using static TorchSharp.torch;

namespace IstaNas.Tests.Choices;

/// <summary>Choices of one name marked shared are one decision; anything else with a repeated name is refused.</summary>
public class SharedChoiceTests
{
    private static ImageDataset Data() => ImageDataset.CreateSynthetic(64, 1, imageSize: 8);

    private static Exception BuildError(Func<nn.Module<Tensor, Tensor>> space) =>
        Assert.ThrowsAny<Exception>(() => new SearchBuilder().UseDataset(Data()).UseSpace(space).UseTwoStage(o => o.BatchSize = 8).Build());

    private static nn.Module<Tensor, Tensor> Conv(int kernel) => nn.Conv2d(3, 3, kernel, padding: kernel / 2);

    [Fact]
    public void ARepeatedNameMarkedSharedOnOnlyOneChoiceIsRefusedSayingHowToShare()
    {
        var e = BuildError(() => new Pair(Choice.Of("layer", 1, Conv(3), Conv(1)).Shared(), Choice.Of("layer", 1, Conv(3), Conv(1))));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("Two choices are named 'layer' (at first and second)", e.Message, StringComparison.Ordinal);
        Assert.Contains("mark every choice of that name with .Shared()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedChoicesOfDifferentKAreRefused()
    {
        var e = BuildError(() => new Pair(Choice.Of("layer", 1, Conv(3), Conv(1), Conv(5)).Shared(), Choice.Of("layer", 1, Conv(3), Conv(1)).Shared()));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("The shared choices named 'layer' (at first and second) differ: K 3 vs 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedChoicesOfDifferentLabelsAreRefused()
    {
        var e = BuildError(() => new Pair(
            Choice.Of("layer", 1, Conv(3), Conv(1)).WithLabels("a", "b").Shared(),
            Choice.Of("layer", 1, Conv(3), Conv(1)).WithLabels("a", "c").Shared()));
        Assert.Contains("labels [a, b] vs [a, c]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedChoicesAreOneDecisionWhoseWeightsEveryChoiceGetsAndWhichFixFixesEverywhere()
    {
        var first = Choice.Of("layer", 1, Conv(3), Conv(1)).Shared();
        var second = Choice.Of("layer", 1, Conv(3), Conv(1)).Shared();
        using Tensor sample = zeros(2, 3, 8, 8);
        using var net = new ChoiceSuperNet(new Pair(first, second), sample);
        Assert.Equal([new Decision("layer", 2, 1)], net.Decisions);
        Assert.Equal(2, net.Choices.Count);
        using Tensor w = tensor(new float[] { 0.3f, 0.7f });
        var weights = new NodeWeights([0, 1], w);
        net.SetWeights([weights]);
        Assert.Same(weights, first.Weights);
        Assert.Same(weights, second.Weights);
        Assert.Throws<ArgumentException>(() => net.SetWeights([weights, weights]));

        IstaNas.Choices.Architecture.FromPicks(new Dictionary<string, int[]> { ["layer"] = [1] }).Fix(net.Model);
        Assert.Equal([1], first.FixedPicks!);
        Assert.Equal([1], second.FixedPicks!);
    }

    [Fact]
    public void TheNb201SearchModelHasSixSharedDecisionsAndATwoStageSearchOnItRuns()
    {
        using (var model = Nb201Space.SearchModel(classes: 10, channels: 4, cellsPerStage: 1))
        {
            var choices = ChoiceModel.CheckStructure(model);
            Assert.Equal(18, choices.Count);
            Assert.All(choices, c => Assert.True(c.Choice.IsShared));
            Assert.Equal(Nb201Architecture.EdgeNames, ChoiceModel.Decisions(choices).Select(d => d[0].Name));
        }

        var result = new SearchBuilder()
            .UseDataset(ImageDataset.CreateSynthetic(64, 3, imageSize: 8))
            .UseSpace(() => Nb201Space.SearchModel(classes: 10, channels: 4, cellsPerStage: 1))
            .UseTwoStage(o =>
            {
                o.Epochs = 1;
                o.BatchSize = 8;
                o.MaxStepsPerEpoch = 2;
            })
            .UseSeed(2)
            .Build()
            .Run();
        Assert.NotNull(result.Architecture);
        Assert.Equal(Nb201Architecture.EdgeNames, result.Architecture!.Choices.Select(c => c.Name));
        Nb201Architecture cell = Nb201Architecture.FromChoices(result.Architecture.Picks);
        using var fixedModel = Nb201Space.SearchModel(classes: 10, channels: 4, cellsPerStage: 1);
        result.Architecture.Fix(fixedModel);
        Assert.All(fixedModel.modules().OfType<Choice>(), c => Assert.Equal(cell.ToChoices()[c.Name], c.FixedPicks!));
    }

    private sealed class Pair : nn.Module<Tensor, Tensor>
    {
        private readonly Choice first;
        private readonly Choice second;
        private readonly nn.Module<Tensor, Tensor> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 10));

        public Pair(Choice first, Choice second)
            : base(nameof(Pair))
        {
            this.first = first;
            this.second = second;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return head.call(second.call(first.call(input))).MoveToOuterDisposeScope();
        }
    }
}
