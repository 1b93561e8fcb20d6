using IstaNas.Checkpoints;
using IstaNas.Strategies;

namespace IstaNas.Tests.Strategies;

public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("istanas-resume").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SearchResult TwoStage(string checkpoints, int steps, string? resume = null, CancellationToken ct = default,
        IProgress<EpochReport>? epochs = null, IProgress<StepReport>? stepProgress = null, int epochCount = 3, int seed = 8)
    {
        var builder = new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 448))
            .UseTwoStage(o =>
            {
                TinySearch.Configure(o, epochs: epochCount, steps: steps);
                o.CheckpointDirectory = checkpoints;
            })
            .UseSeed(seed);
        if (epochs is not null) builder.WithProgress(epochs);
        if (stepProgress is not null) builder.WithStepProgress(stepProgress);
        if (resume is not null) builder.ResumeFrom(resume);
        return builder.Build().Run(ct);
    }

    private static void AssertSameRun(SearchResult expected, string expectedCheckpoint, SearchResult actual, string actualCheckpoint)
    {
        Assert.Equal(expected.Genotype, actual.Genotype);
        Assert.True(expected.History.Select(h => h.TrainLoss).SequenceEqual(actual.History.Select(h => h.TrainLoss)),
            string.Join(" | ", expected.History.Select(h => h.TrainLoss.ToString("R"))) + " vs " + string.Join(" | ", actual.History.Select(h => h.TrainLoss.ToString("R"))));
        Assert.Equal(expected.History.Select(h => h.ValidAccuracy), actual.History.Select(h => h.ValidAccuracy));
        for (int k = 0; k < expected.SearchSpace!.NodeStates.Count; k++)
        {
            Assert.Equal(expected.SearchSpace.NodeStates[k].B, actual.SearchSpace!.NodeStates[k].B);
            Assert.Equal(expected.SearchSpace.NodeStates[k].Z, actual.SearchSpace.NodeStates[k].Z);
        }
        Checkpoint a = Checkpoint.Load(expectedCheckpoint), b = Checkpoint.Load(actualCheckpoint);
        foreach (string section in new[] { "network", "w-optimizer", "b-optimizer" })
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");
    }

    [Fact]
    public void TwoStageStoppedAfterAnEpochAndResumedEndsBitForBitLikeAnUninterruptedRun()
    {
        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = TwoStage(full, steps: 3);

        using var cts = new CancellationTokenSource();
        SearchResult first = TwoStage(split, steps: 3, ct: cts.Token, epochs: new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); }));
        Assert.True(first.Cancelled);
        Assert.Single(first.History);
        SearchResult resumed = TwoStage(split, steps: 3, resume: Path.Combine(split, "two-stage.ckpt"));

        Assert.False(resumed.Cancelled);
        Assert.Equal(3, resumed.History.Count);
        AssertSameRun(uninterrupted, Path.Combine(full, "two-stage.ckpt"), resumed, Path.Combine(split, "two-stage.ckpt"));
    }

    [Fact]
    public void TwoStageStoppedInTheMiddleOfAnEpochResumesAtThatStep()
    {
        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = TwoStage(full, steps: 12, epochCount: 2);

        using var cts = new CancellationTokenSource();
        SearchResult first = TwoStage(split, steps: 12, ct: cts.Token, epochCount: 2,
            stepProgress: new InlineProgress<StepReport>(r => { if (r.Epoch == 1 && r.Step == 10) cts.Cancel(); }));
        Assert.True(first.Cancelled);
        Assert.Empty(first.History);
        Checkpoint saved = Checkpoint.Load(Path.Combine(split, "two-stage.ckpt"));
        Assert.Equal((0, 10), (saved.Metadata.Epoch, saved.Metadata.Step));

        SearchResult resumed = TwoStage(split, steps: 12, epochCount: 2, resume: Path.Combine(split, "two-stage.ckpt"));
        AssertSameRun(uninterrupted, Path.Combine(full, "two-stage.ckpt"), resumed, Path.Combine(split, "two-stage.ckpt"));
    }

    [Fact]
    public void OneStageResumesToTheSameGenotypeWeightsAndFrozenNodes()
    {
        SearchResult Run(string dir, string? resume = null, CancellationTokenSource? cts = null)
        {
            var builder = new SearchBuilder()
                .UseDataset(TinySearch.Data(count: 128))
                .UseOneStage(o =>
                {
                    TinySearch.Configure(o, epochs: 2, steps: 3);
                    o.Auxiliary = false;
                    o.Epsilon = 5e-3;
                    o.MaxSearchEpochs = 3;
                    o.CheckpointDirectory = dir;
                })
                .UseSeed(6);
            if (cts is not null) builder.WithProgress(new InlineProgress<EpochReport>(r => { if (r.Epoch == 2) cts.Cancel(); }));
            if (resume is not null) builder.ResumeFrom(resume);
            return builder.Build().Run(cts?.Token ?? default);
        }

        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = Run(full);
        using var cts = new CancellationTokenSource();
        Run(split, cts: cts).Network!.Dispose();
        SearchResult resumed = Run(split, resume: Path.Combine(split, "one-stage.ckpt"));
        Assert.Equal(uninterrupted.Genotype, resumed.Genotype);
        Assert.Equal(uninterrupted.History.Select(h => h.FrozenNodes.Count), resumed.History.Select(h => h.FrozenNodes.Count));
        Assert.Equal(uninterrupted.History.Select(h => h.TrainLoss), resumed.History.Select(h => h.TrainLoss));
        Checkpoint a = Checkpoint.Load(Path.Combine(full, "one-stage.ckpt")), b = Checkpoint.Load(Path.Combine(split, "one-stage.ckpt"));
        Assert.True(a.ReadSection("network").AsSpan().SequenceEqual(b.ReadSection("network")));
        uninterrupted.Network!.Dispose();
        resumed.Network!.Dispose();
    }

    [Fact]
    public void ACheckpointOfAnotherSearchSpaceIsRefusedAndLeftIntact()
    {
        string dir = Path.Combine(_dir, "run");
        TwoStage(dir, steps: 2, epochCount: 1);
        string path = Path.Combine(dir, "two-stage.ckpt");
        byte[] before = File.ReadAllBytes(path);
        var ex = Assert.Throws<CheckpointException>(() => new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 448))
            .ConfigureSearchSpace(s => s.ProjectionDims = 9)
            .UseTwoStage(o => { TinySearch.Configure(o, epochs: 3, steps: 2); o.CheckpointDirectory = dir; })
            .UseSeed(8)
            .ResumeFrom(path)
            .Build()
            .Run());
        Assert.Contains("space.m", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void ACorruptCheckpointIsRefusedWithItsName()
    {
        string dir = Path.Combine(_dir, "run");
        TwoStage(dir, steps: 2, epochCount: 1);
        string path = Path.Combine(dir, "two-stage.ckpt");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        string corrupt = Path.Combine(_dir, "corrupt.ckpt");
        File.WriteAllBytes(corrupt, bytes);
        var ex = Assert.Throws<CheckpointException>(() => TwoStage(Path.Combine(_dir, "other"), steps: 2, epochCount: 2, resume: corrupt));
        Assert.Contains("corrupt.ckpt", ex.Message);
    }
}
