using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;

namespace IstaNas.Tests.Training;

/// <summary>What the one training loop makes true of every strategy: DARTS resumes bit for bit, foreign checkpoints are refused, runs continue from the file alone.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class LoopResumeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SearchBuilder Darts(string checkpoints, int epochs, int steps, ImageDataset? data = null) =>
        new SearchBuilder()
            .UseDataset(data ?? TinySearch.Data(count: 256))
            .UseDarts(o =>
            {
                TinySearch.Configure(o, epochs: epochs, steps: steps);
                o.CheckpointDirectory = checkpoints;
            })
            .UseSeed(9);

    private static void AssertSameDartsRun(SearchResult expected, SearchResult actual)
    {
        Assert.Equal(expected.Genotype, actual.Genotype);
        Assert.Equal(expected.History.Select(h => h.TrainLoss), actual.History.Select(h => h.TrainLoss));
        Assert.Equal(expected.History.Select(h => h.ValidAccuracy), actual.History.Select(h => h.ValidAccuracy));
        Checkpoint a = Checkpoint.Load(expected.CheckpointPath!), b = Checkpoint.Load(actual.CheckpointPath!);
        foreach (string section in new[] { "network", "w-optimizer", "alpha-optimizer" })
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");
        Assert.Equal(a.Metadata.Values["alpha"].GetRawText(), b.Metadata.Values["alpha"].GetRawText());
    }

    [Fact]
    public void DartsWritesACheckpointEveryEpochAndResumesFromAnEpochBoundaryBitForBit()
    {
        string full = _dir.File("full"), split = _dir.File("split");
        SearchResult uninterrupted = Darts(full, epochs: 3, steps: 2).Build().Run();
        Assert.Equal(Path.Combine(full, "darts.ckpt"), uninterrupted.CheckpointPath);

        using var cts = new CancellationTokenSource();
        SearchResult first = Darts(split, epochs: 3, steps: 2)
            .WithProgress(new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); })).Build().Run(cts.Token);
        Assert.True(first.Cancelled);
        Assert.Single(first.History); // the interrupted epoch is not recorded as a full one
        SearchResult resumed = Darts(split, epochs: 3, steps: 2).ResumeFrom(Path.Combine(split, "darts.ckpt")).Build().Run();
        Assert.Equal(3, resumed.History.Count);
        AssertSameDartsRun(uninterrupted, resumed);
    }

    [Fact]
    public void DartsStoppedInTheMiddleOfAnEpochResumesAtThatStepBitForBit()
    {
        string full = _dir.File("full"), split = _dir.File("split");
        SearchResult uninterrupted = Darts(full, epochs: 2, steps: 5).Build().Run();

        using var cts = new CancellationTokenSource();
        SearchResult first = Darts(split, epochs: 2, steps: 5)
            .WithStepProgress(new InlineProgress<StepReport>(r => { if (r.Epoch == 2 && r.Step == 3) cts.Cancel(); })).Build().Run(cts.Token);
        Assert.True(first.Cancelled);
        Checkpoint saved = Checkpoint.Load(Path.Combine(split, "darts.ckpt"));
        Assert.Equal((1, 3), (saved.Metadata.Epoch, saved.Metadata.Step));
        SearchResult resumed = Darts(split, epochs: 2, steps: 5).ResumeFrom(saved.Path).Build().Run();
        AssertSameDartsRun(uninterrupted, resumed);
    }

    [Fact]
    public void ACheckpointOfAnotherStrategyIsRefusedNamingBoth()
    {
        string dir = _dir.File("two-stage");
        new SearchBuilder().UseDataset(TinySearch.Data(count: 256))
            .UseTwoStage(o => { TinySearch.Configure(o, epochs: 1, steps: 1); o.CheckpointDirectory = dir; })
            .Build().Run();
        var ex = Assert.Throws<CheckpointException>(() =>
            Darts(_dir.File("darts"), epochs: 2, steps: 1).ResumeFrom(Path.Combine(dir, "two-stage.ckpt")).Build().Run());
        Assert.Contains("'two-stage' checkpoint, not 'darts'", ex.Message);
    }

    [Fact]
    public void OtherDataOfTheSameSizeAndShapeIsRefusedByItsContentHash()
    {
        string dir = _dir.File("run");
        Darts(dir, epochs: 1, steps: 1, TinySearch.Data(count: 256, seed: 5)).Build().Run();
        var ex = Assert.Throws<CheckpointException>(() =>
            Darts(dir, epochs: 2, steps: 1, TinySearch.Data(count: 256, seed: 6)).ResumeFrom(Path.Combine(dir, "darts.ckpt")).Build().Run());
        Assert.Contains("data.train.content", ex.Message);
        Assert.DoesNotContain("data.train.count", ex.Message);
    }

    [Fact]
    public void AnotherConfigurationIsRefusedNamingTheOption()
    {
        string dir = _dir.File("run");
        Darts(dir, epochs: 1, steps: 1).Build().Run();
        var ex = Assert.Throws<CheckpointException>(() =>
            Darts(dir, epochs: 2, steps: 1).ConfigureDarts(o => o.Channels = 6).ResumeFrom(Path.Combine(dir, "darts.ckpt")).Build().Run());
        Assert.Contains("options.channels", ex.Message);
    }

    [Fact]
    public void ContinueFromUsesTheStoredOptionsAndMoreEpochsExtendAFinishedRun()
    {
        string dir = _dir.File("run");
        SearchResult finished = new SearchBuilder().UseDataset(TinySearch.Data(count: 256))
            .ConfigureSearchSpace(s => s.ProjectionDims = 9)
            .UseTwoStage(o => { TinySearch.Configure(o, epochs: 2, steps: 2); o.CheckpointDirectory = dir; })
            .UseSeed(21)
            .Build().Run();

        // Only the data and the new epoch count: strategy, space (m = 9), seed and every option come from the file.
        Search continued = new SearchBuilder().UseDataset(TinySearch.Data(count: 256))
            .ContinueFrom(finished.CheckpointPath!)
            .ConfigureTwoStage(o => o.Epochs = 4)
            .Build();
        Assert.Equal(9, continued.Context.SearchSpace.ProjectionDims);
        Assert.Equal(21, continued.Context.Seed);
        SearchResult extended = continued.Run();
        Assert.Equal([1, 2, 3, 4], extended.History.Select(h => h.Epoch));
        Assert.Equal(finished.History.Select(h => h.TrainLoss), extended.History.Take(2).Select(h => h.TrainLoss));
        // The cosine schedule is recomputed for the new total from the resumed epoch on: epoch 3 of 4.
        var o = new TwoStageOptions();
        TinySearch.Configure(o);
        double expected = o.LearningRateMin + (0.5 * (o.LearningRate - o.LearningRateMin) * (1 + Math.Cos(Math.PI * 2 / 4)));
        Assert.Equal(expected, extended.History[2].LearningRate, 12);
    }

    [Fact]
    public void FewerEpochsThanTheCheckpointCompletedIsAClearError()
    {
        string dir = _dir.File("run");
        SearchResult finished = Darts(dir, epochs: 2, steps: 1).Build().Run();
        var ex = Assert.Throws<ArgumentException>(() =>
            new SearchBuilder().UseDataset(TinySearch.Data(count: 256)).ContinueFrom(finished.CheckpointPath!).ConfigureDarts(o => o.Epochs = 1).Build().Run());
        Assert.Contains("completed 2 epochs, more than the 1 asked for", ex.Message);
    }

    [Fact]
    public async Task RunAsyncRunsOnAWorkerThreadAndHonoursCancellation()
    {
        using var cts = new CancellationTokenSource();
        Task<SearchResult> running = Darts(_dir.File("async"), epochs: 50, steps: 1)
            .WithProgress(new InlineProgress<EpochReport>(_ => cts.Cancel())).Build().RunAsync(cts.Token);
        SearchResult result = await running;
        Assert.True(result.Cancelled);
        Assert.Single(result.History);
    }
}
