using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Quality;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using IstaNas.Tests.Strategies;
using BatchLoader = IstaNas.Data.BatchLoader;

namespace IstaNas.Tests.Quality;

/// <summary>The random baseline: a seeded draw, and random search with weight sharing on the training loop.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class RandomStrategyTests : IDisposable
{
    private const int Candidates = 4;

    private readonly string _dir = Directory.CreateTempSubdirectory("istanas-random").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SearchBuilder WeightSharing(string? checkpoints, int epochs = 2, int seed = 3) => new SearchBuilder()
        .UseDataset(TinySearch.Data(count: 192))
        .UseRandom(o =>
        {
            TinySearch.Configure(o, epochs: epochs, steps: 3);
            o.WeightSharing = true;
            o.Candidates = Candidates;
            o.CalibrationBatches = 2;
            o.CheckpointDirectory = checkpoints;
        })
        .UseSeed(seed);

    [Fact]
    public void WithoutWeightSharingItIsTheSeededDrawAndTrainsNothing()
    {
        var space = new SearchSpaceOptions();
        SearchResult result = new SearchBuilder().UseSyntheticDataset(16).UseRandom().UseSeed(7).Build().Run();
        Assert.Equal("random", result.Strategy);
        Assert.Equal(RandomArchitectures.Draw(space, 7), result.Genotype);
        Assert.Empty(result.History);
        Assert.Null(result.CheckpointPath);
        Assert.NotEqual(result.Genotype, new SearchBuilder().UseSyntheticDataset(16).UseRandom().UseSeed(8).Build().Run().Genotype);
        // The space's sparsity, whatever it is.
        SearchResult three = new SearchBuilder().UseSyntheticDataset(16).ConfigureSearchSpace(s => s.Sparsity = 3).UseRandom().UseSeed(7).Build().Run();
        Assert.Equal(3, three.Genotype!.EdgesPerNode);
    }

    [Fact]
    public void WeightSharingTrainsTheSuperNetAndReturnsTheBestRankedCandidate()
    {
        string checkpoints = Path.Combine(_dir, "run");
        SearchResult result = WeightSharing(checkpoints).Build().Run();
        Assert.False(result.Cancelled);
        Assert.Equal(2, result.History.Count);
        Assert.All(result.History, h => Assert.True(double.IsFinite(h.TrainLoss)));
        Assert.Null(result.History[0].Genotype); // the ranking is the last epoch's work
        Assert.Equal(result.Genotype, result.History[^1].Genotype);
        string checkpoint = Path.Combine(checkpoints, "random.ckpt");
        Assert.Equal(checkpoint, result.CheckpointPath);

        // Score the candidates again in the saved super-net, with the run's own data split, calibration and validation
        // batches: the run returned the first of the best.
        ImageDataset data = TinySearch.Data(count: 192);
        (ImageDataset w, ImageDataset valid) = data.Split(0.5);
        using SuperNetCheckpoint saved = SuperNetCheckpoint.Load(checkpoint, data, TorchSharp.torch.CPU);
        Assert.Equal(("random", 2), (saved.Strategy, saved.Epochs));
        var calibration = new BatchLoader(w, new BatchLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 3 + 2, Augmentation = AugmentationPipeline.None });
        var validation = new BatchLoader(valid, new BatchLoaderOptions { BatchSize = 16, Shuffle = false, Augmentation = AugmentationPipeline.None });
        IReadOnlyList<Genotype> candidates = RandomArchitectures.DrawDistinct(new SearchSpaceOptions(), Candidates, seed: 3);
        double[] scores = [.. candidates.Select(g => SuperNetScoring.Accuracy(saved.Network, g, calibration.GetEpoch(0).Take(2), validation.GetEpoch(0)))];
        Assert.True(scores.Distinct().Count() > 1, $"every candidate scored {scores[0]}: the ranking decided nothing");
        int best = Array.IndexOf(scores, scores.Max());
        Assert.Equal(candidates[best], result.Genotype);
        Assert.Equal(scores[best], result.History[^1].ValidAccuracy, 12);
    }

    [Fact]
    public void StoppedAtAnEpochBoundaryAndResumedItEndsLikeAnUninterruptedRun()
    {
        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = WeightSharing(full, epochs: 3).Build().Run();

        using var cts = new CancellationTokenSource();
        SearchResult first = WeightSharing(split, epochs: 3)
            .WithProgress(new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); }))
            .Build().Run(cts.Token);
        Assert.True(first.Cancelled);
        Assert.Single(first.History);
        Assert.Equal(RandomArchitectures.Draw(new SearchSpaceOptions(), 3), first.Genotype); // unranked: the first draw

        // Continued from the checkpoint alone: the strategy, its options and the seed come from the file.
        SearchResult resumed = new SearchBuilder().UseDataset(TinySearch.Data(count: 192)).ContinueFrom(Path.Combine(split, "random.ckpt")).Build().Run();
        Assert.Equal("random", resumed.Strategy);
        Assert.False(resumed.Cancelled);
        Assert.Equal(uninterrupted.Genotype, resumed.Genotype);
        Assert.Equal(uninterrupted.History.Select(h => h.TrainLoss), resumed.History.Select(h => h.TrainLoss));
        Assert.Equal(uninterrupted.History[^1].ValidAccuracy, resumed.History[^1].ValidAccuracy);
        Checkpoint a = Checkpoint.Load(Path.Combine(full, "random.ckpt")), b = Checkpoint.Load(Path.Combine(split, "random.ckpt"));
        foreach (string section in new[] { "network", "w-optimizer" })
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");
    }

    [Fact]
    public void CancelledWhileRankingItKeepsTheEpochBeforeAndAResumeRepeatsTheLastEpoch()
    {
        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = WeightSharing(full).Build().Run();

        using var cts = new CancellationTokenSource();
        // Cancelled after the last step of the last epoch: the loop goes on to the epoch's work, the ranking, which stops.
        SearchResult first = WeightSharing(split)
            .WithStepProgress(new InlineProgress<StepReport>(r => { if (r.Epoch == 2 && r.Step == r.StepsPerEpoch) cts.Cancel(); }))
            .Build().Run(cts.Token);
        Assert.True(first.Cancelled);
        Assert.Single(first.History);
        Assert.Equal(Path.Combine(split, "random.ckpt"), first.CheckpointPath);
        Assert.Equal(1, Checkpoint.Load(first.CheckpointPath!).Metadata.Epoch);

        SearchResult resumed = WeightSharing(split).ResumeFrom(first.CheckpointPath!).Build().Run();
        Assert.Equal(uninterrupted.Genotype, resumed.Genotype);
        Assert.Equal(uninterrupted.History.Select(h => h.TrainLoss), resumed.History.Select(h => h.TrainLoss));
    }

    [Fact]
    public void BadSettingsAreClearErrors()
    {
        var tooMany = Assert.Throws<ArgumentException>(() => new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 192))
            .ConfigureSearchSpace(s => { s.Nodes = 1; s.Operations = ["max_pool_3x3"]; s.ProjectionDims = 2; })
            .UseRandom(o => { TinySearch.Configure(o); o.WeightSharing = true; o.Candidates = 2; })
            .Build().Run());
        Assert.Contains("Random.Candidates = 2 exceeds the 1 distinct genotypes", tooMany.Message);
        var few = Assert.Throws<ArgumentException>(() => new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 20))
            .UseRandom(o => { TinySearch.Configure(o); o.WeightSharing = true; })
            .Build().Run());
        Assert.Contains("fewer than one batch of 16", few.Message);
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => RandomRun.Strategy(new RandomOptions { Candidates = 0 }));
    }
}
