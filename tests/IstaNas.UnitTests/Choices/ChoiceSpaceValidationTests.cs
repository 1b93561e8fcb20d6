using IstaNas.Choices;
using IstaNas.Data;
using static TorchSharp.torch;

namespace IstaNas.Tests.Choices;

/// <summary>Every invalid space or choice definition is refused at set-up with a message that names the problem.</summary>
public class ChoiceSpaceValidationTests
{
    private static ImageDataset Data() => ImageDataset.CreateSynthetic(64, 1, imageSize: 8);

    private static Exception BuildError(Func<nn.Module<Tensor, Tensor>> space, Action<SearchBuilder>? configure = null)
    {
        var builder = new SearchBuilder().UseDataset(Data()).UseSpace(space).UseTwoStage(o => o.BatchSize = 8);
        configure?.Invoke(builder);
        return Assert.ThrowsAny<Exception>(() => builder.Build());
    }

    [Fact]
    public void DuplicateChoiceNamesAreRefused()
    {
        var e = BuildError(() => new Chain(Choice.Of("layer", 1, Conv(3), Conv(1)), Choice.Of("layer", 1, Conv(3), Conv(1))));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("Two choices are named 'layer' (at first and second)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FewerThanTwoCandidatesIsRefusedWhenTheChoiceIsMade()
    {
        var e = Assert.Throws<ArgumentException>(() => Choice.Of("layer", 1, Conv(3)));
        Assert.Contains("Choice 'layer' has 1 candidate(s); a choice needs at least 2 (K >= 2).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepingAllCandidatesIsRefusedWhenTheChoiceIsMade()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Choice.Of("layer", 2, Conv(3), Conv(1)));
        Assert.Contains("Choice 'layer' keeps 2 of its 2 candidates; picks (s) must be in 1..1 (s < K).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CandidatesWithDifferentOutputShapesAreRefusedOnOneBatch()
    {
        var e = BuildError(() => new Chain(
            Choice.Of("layer", 1, Conv(3), nn.Conv2d(3, 3, 3, stride: 1L)).WithLabels("same", "valid"),
            Choice.Of("other", 1, Conv(3), Conv(1))));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("Choice 'layer': candidate 1 (valid) gives an output of shape [2, 3, 6, 6] but candidate 0 (same) gives [2, 3, 8, 8]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProjectionDimsNotBelowTheCandidateCountIsRefusedNamingTheChoice()
    {
        var e = BuildError(() => new Chain(Choice.Of("first", 1, Conv(3), Conv(1), Conv(5)), Choice.Of("second", 1, Conv(3), Conv(1))),
            b => b.ConfigureSearchSpace(s => s.ProjectionDimsByChoice["first"] = 3));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("Choice 'first' has m = 3 measurements for K = 3 candidates; ISTA-NAS compresses, so m must be below K", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProjectionDimsEntryForNoChoiceIsRefused()
    {
        var e = BuildError(() => new Chain(Choice.Of("first", 1, Conv(3), Conv(1)), Choice.Of("second", 1, Conv(3), Conv(1))),
            b => b.ConfigureSearchSpace(s => s.ProjectionDimsByChoice["thrid"] = 1));
        Assert.Contains("SearchSpace.ProjectionDimsByChoice names 'thrid', which the model has no choice of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelWithoutChoicesIsRefused()
    {
        var e = BuildError(() => nn.Sequential(("conv", Conv(3)), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten())));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("holds no Choice module: it has nothing to search", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChoiceTheForwardPassNeverCallsIsRefused()
    {
        var e = BuildError(() => new Chain(Choice.Of("first", 1, Conv(3), Conv(1)), Choice.Of("second", 1, Conv(3), Conv(1)), skipSecond: true));
        Assert.IsType<ArgumentException>(e);
        Assert.Contains("The model's forward pass never called choice 'second' (at second)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneStageOnAModelWithChoicesBuildsAndChecksEveryChoicesMAtBuild()
    {
        SearchBuilder Builder() => new SearchBuilder().UseDataset(Data()).UseSpace(() => new Chain(Choice.Of("a", 1, Conv(3), Conv(1)), Choice.Of("b", 1, Conv(3), Conv(1))))
            .UseOneStage(o => o.BatchSize = 8);
        Assert.Equal("one-stage", Builder().Build().StrategyName);
        var e = Assert.Throws<ArgumentException>(() => Builder().ConfigureSearchSpace(s => s.ProjectionDimsByChoice["c"] = 1).Build());
        Assert.Contains("SearchSpace.ProjectionDimsByChoice names 'c', which the model has no choice of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidSpacePassesAndTheChoicesAreFoundInRegistrationOrderWithTheirPaths()
    {
        using var model = new Chain(Choice.Of("b", 1, Conv(3), Conv(1)), Choice.Of("a", 1, Conv(3), Conv(1)));
        using Tensor sample = zeros(2, 3, 8, 8);
        var found = ChoiceModel.Validate(model, sample);
        Assert.Equal([("first", "b"), ("second", "a")], found.Select(f => (f.Path, f.Choice.Name)));
        Assert.True(model.training);
    }

    private static nn.Module<Tensor, Tensor> Conv(int kernel) => nn.Conv2d(3, 3, kernel, padding: kernel / 2);

    private sealed class Chain : nn.Module<Tensor, Tensor>
    {
        private readonly Choice first;
        private readonly Choice second;
        private readonly nn.Module<Tensor, Tensor> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 10));
        private readonly bool _skipSecond;

        public Chain(Choice first, Choice second, bool skipSecond = false)
            : base(nameof(Chain))
        {
            this.first = first;
            this.second = second;
            _skipSecond = skipSecond;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            Tensor x = first.call(input);
            if (!_skipSecond) x = second.call(x);
            return head.call(x).MoveToOuterDisposeScope();
        }
    }
}
