using IstaNas.Checkpoints;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Tests.Choices;

/// <summary>Searches of a user-defined model with choices (<see cref="TinyChoiceNet"/>) from the builder.</summary>
[Collection(GlobalRandomCollection.Name)]
public class ChoiceSpaceSearchTests
{
    private static SearchBuilder Builder(long seed = 7) =>
        new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).UseSpace(() => new TinyChoiceNet()).UseSeed(seed);

    [Fact]
    public void TwoStageSearchesTheChoicesAndGivesAnArchitectureThatFixesTheModel()
    {
        SearchResult r = Builder().UseTwoStage(o => TinySearch.Configure(o, epochs: 3, steps: 3)).Build().Run();

        Assert.Null(r.Genotype);
        Assert.Equal(3, r.History.Count);
        Assert.All(r.History, h =>
        {
            Assert.Null(h.Genotype);
            Assert.Equal(["conv1", "conv2", "read"], h.ZMagnitude.Keys.Order());
            Assert.All(h.ZMagnitude.Values, z => Assert.Equal(3, z.Length));
            Assert.True(double.IsFinite(h.TrainLoss) && double.IsFinite(h.ValidLoss));
        });
        Assert.True(r.History.Any(h => h.ZChange.Values.Max() > 0), "b never moved z");
        ChoiceArchitecture arch = Assert.IsType<ChoiceArchitecture>(r.Architecture);
        Assert.Equal("|z|", arch.Score);
        Assert.Equal(["conv1", "conv2", "read"], arch.Choices.Select(c => c.Name));
        Assert.All(arch.Choices, c =>
        {
            Assert.Single(c.Picks);
            Assert.InRange(c.Picks[0], 0, 2);
            Assert.Equal(r.History[^1].ZMagnitude[c.Name][c.Picks[0]], c.Scores![0]);
            Assert.Equal(r.History[^1].ZMagnitude[c.Name].Max(), c.Scores[0]);
        });
        Assert.NotNull(r.SearchSpace);
        Assert.Equal(["conv1", "conv2", "read"], r.SearchSpace!.Decisions!.Select(d => d.Key));
        Assert.All(r.SearchSpace.Decisions!, d => Assert.Equal(2, d.ProjectionDims)); // min(m = 7, K - 1)

        using var dir = new TempDirectory();
        string path = dir.File("arch.json");
        arch.Save(path);
        ChoiceArchitecture loaded = ChoiceArchitecture.Load(path);
        Assert.Equal(arch.ToJson(), loaded.ToJson());
        using var net = loaded.Fix(new TinyChoiceNet());
        using var scope = NewDisposeScope();
        Tensor logits = net.call(randn(2, 3, 16, 16));
        Assert.Equal([2L, 10L], logits.shape);
    }

    [Fact]
    public void SameSeedGivesTheSameSearch()
    {
        SearchResult a = Builder(seed: 3).UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 2)).Build().Run();
        SearchResult b = Builder(seed: 3).UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 2)).Build().Run();
        Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));
        Assert.Equal(a.SearchSpace!.NodeStates.SelectMany(n => n.Z), b.SearchSpace!.NodeStates.SelectMany(n => n.Z));
        Assert.Equal(a.Architecture!.ToJson(), b.Architecture!.ToJson());
    }

    [Fact]
    public void DartsSearchesTheChoicesWithSoftmaxOverTheirCandidates()
    {
        SearchResult r = Builder().UseDarts(o => TinySearch.Configure(o, epochs: 2, steps: 3)).Build().Run();

        Assert.Null(r.Genotype);
        Assert.Null(r.SearchSpace);
        Assert.Equal(2, r.History.Count);
        Assert.All(r.History, h => Assert.True(double.IsFinite(h.TrainLoss) && double.IsFinite(h.ValidLoss)));
        ChoiceArchitecture arch = Assert.IsType<ChoiceArchitecture>(r.Architecture);
        Assert.Equal("alpha", arch.Score);
        Assert.Equal(["conv1", "conv2", "read"], arch.Choices.Select(c => c.Name));
        Assert.All(arch.Choices, c =>
        {
            Assert.Single(c.Picks);
            Assert.InRange(c.Scores![0], 1.0 / 3, 1.0); // the largest of three softmax weights
        });
        Assert.True(arch.Choices.Any(c => c.Scores![0] > (1.0 / 3) + 1e-9), "alpha never moved");
        using var net = arch.Fix(new TinyChoiceNet());
    }

    private static void Random(RandomOptions o)
    {
        TinySearch.Configure(o, epochs: 3, steps: 2);
        o.WeightSharing = true;
        o.Candidates = 4;
        o.CalibrationBatches = 1;
        o.MaxValidationBatches = 2;
    }

    [Fact]
    public void RandomDrawsASeededArchitectureAndWithWeightSharingRanksDrawnOnes()
    {
        SearchResult drawn = Builder(seed: 9).UseRandom().Build().Run();
        SearchResult again = Builder(seed: 9).UseRandom().Build().Run();
        Assert.Empty(drawn.History);
        Assert.Equal(drawn.Architecture!.ToJson(), again.Architecture!.ToJson());
        Assert.Equal(["conv1", "conv2", "read"], drawn.Architecture.Choices.Select(c => c.Name));
        Assert.All(drawn.Architecture.Choices, c => Assert.Single(c.Picks));
        var seeds = Enumerable.Range(0, 8).Select(seed => Builder(seed).UseRandom().Build().Run().Architecture!.ToJson()).ToHashSet();
        Assert.True(seeds.Count > 1, "every seed drew the same architecture");

        SearchResult shared = Builder(seed: 9).UseRandom(Random).Build().Run();
        Assert.Equal(3, shared.History.Count);
        Assert.InRange(shared.History[^1].ValidAccuracy, 0, 1);
        Assert.Equal(["conv1", "conv2", "read"], shared.Architecture!.Choices.Select(c => c.Name));
        using var net = shared.Architecture.Fix(new TinyChoiceNet());
    }

    [Theory]
    [InlineData("two-stage")]
    [InlineData("darts")]
    [InlineData("random")]
    public void StoppedAfterAnEpochAndResumedEndsBitForBitLikeAnUninterruptedRun(string strategy)
    {
        using var dir = new TempDirectory();
        string full = dir.File("full"), split = dir.File("split");
        SearchResult Run(string checkpoints, string? resume = null, IProgress<EpochReport>? progress = null, CancellationToken ct = default)
        {
            SearchBuilder b = Builder(seed: 5);
            b = strategy switch
            {
                "darts" => b.UseDarts(o => { TinySearch.Configure(o, epochs: 3, steps: 2); o.CheckpointDirectory = checkpoints; }),
                "random" => b.UseRandom(o => { Random(o); o.CheckpointDirectory = checkpoints; }),
                _ => b.UseTwoStage(o => { TinySearch.Configure(o, epochs: 3, steps: 2); o.CheckpointDirectory = checkpoints; }),
            };
            if (progress is not null) b.WithProgress(progress);
            if (resume is not null) b.ResumeFrom(resume);
            return b.Build().Run(ct);
        }

        SearchResult uninterrupted = Run(full);
        using var cts = new CancellationTokenSource();
        SearchResult first = Run(split, progress: new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); }), ct: cts.Token);
        Assert.True(first.Cancelled);
        Assert.Single(first.History);
        SearchResult resumed = Run(split, resume: Path.Combine(split, strategy + ".ckpt"));

        Assert.Equal(3, resumed.History.Count);
        Assert.Equal(uninterrupted.History.Select(h => BitConverter.DoubleToInt64Bits(h.TrainLoss)), resumed.History.Select(h => BitConverter.DoubleToInt64Bits(h.TrainLoss)));
        Assert.Equal(uninterrupted.History.Select(h => BitConverter.DoubleToInt64Bits(h.ValidLoss)), resumed.History.Select(h => BitConverter.DoubleToInt64Bits(h.ValidLoss)));
        Assert.Equal(uninterrupted.Architecture!.ToJson(), resumed.Architecture!.ToJson());
        Checkpoint a = Checkpoint.Load(Path.Combine(full, strategy + ".ckpt")), b = Checkpoint.Load(Path.Combine(split, strategy + ".ckpt"));
        foreach (string section in a.SectionNames)
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");

        // ContinueFrom takes the strategy and options from the checkpoint; the model must be given again, and be the same.
        SearchResult continued = new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).ContinueFrom(Path.Combine(split, strategy + ".ckpt"))
            .UseSpace(() => new TinyChoiceNet()).Build().Run();
        Assert.Equal(3, continued.History.Count);
        Assert.Equal(resumed.Architecture.ToJson(), continued.Architecture!.ToJson());
        var missing = Assert.Throws<InvalidOperationException>(() =>
            new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).ContinueFrom(Path.Combine(split, strategy + ".ckpt")).Build());
        Assert.Contains("was written by a search of a model's choices (conv1, conv2, read); call UseSpace with the same model factory", missing.Message, StringComparison.Ordinal);
        var other = Assert.Throws<CheckpointException>(() =>
            new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).ContinueFrom(Path.Combine(split, strategy + ".ckpt"))
                .UseSpace(() => new TinyChoiceNet(channels: 4)).Build().Run());
        Assert.Contains("section 'network' does not fit the module", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoStageCancelledInTheMiddleOfAnEpochResumesAtThatStepBitForBit()
    {
        using var dir = new TempDirectory();
        string full = dir.File("full"), split = dir.File("split");
        SearchResult Run(string checkpoints, string? resume = null, IProgress<StepReport>? steps = null, CancellationToken ct = default)
        {
            SearchBuilder b = Builder(seed: 6).UseTwoStage(o => { TinySearch.Configure(o, epochs: 2, steps: 3); o.CheckpointDirectory = checkpoints; });
            if (steps is not null) b.WithStepProgress(steps);
            if (resume is not null) b.ResumeFrom(resume);
            return b.Build().Run(ct);
        }

        SearchResult uninterrupted = Run(full);
        using var cts = new CancellationTokenSource();
        SearchResult first = Run(split, steps: new InlineProgress<StepReport>(r => { if (r.Epoch == 1 && r.Step == 2) cts.Cancel(); }), ct: cts.Token);
        Assert.True(first.Cancelled);
        Assert.Empty(first.History);
        SearchResult resumed = Run(split, resume: Path.Combine(split, "two-stage.ckpt"));

        Assert.Equal(uninterrupted.History.Select(h => BitConverter.DoubleToInt64Bits(h.TrainLoss)), resumed.History.Select(h => BitConverter.DoubleToInt64Bits(h.TrainLoss)));
        Assert.Equal(uninterrupted.SearchSpace!.ToJson(), resumed.SearchSpace!.ToJson());
        Checkpoint a = Checkpoint.Load(Path.Combine(full, "two-stage.ckpt")), b = Checkpoint.Load(Path.Combine(split, "two-stage.ckpt"));
        foreach (string section in a.SectionNames)
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");
    }
}
