using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Strategies;
using StrategySample;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Tests.Strategies;

/// <summary>
/// A strategy of one's own on the library's loop (<see cref="SearchLoop"/>): the strategy sample's
/// <see cref="ShrinkingStrategy"/>, compiled from samples/IstaNas.StrategySample, resumes bit for bit; the loop's
/// misuse and a checkpoint that does not fit get clear errors.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class SearchLoopTests : IDisposable
{
    private static readonly string[] Sections = ["module/super-net", "optimizer/w", "optimizer/alpha", "strategy-tensors"];

    private readonly string _dir = Directory.CreateTempSubdirectory("istanas-loop").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SearchResult Shrinking(string checkpoints, string? resume = null, CancellationToken ct = default,
        IProgress<EpochReport>? epochs = null, IProgress<StepReport>? steps = null)
    {
        var options = new ShrinkingOptions { Epochs = 3, BatchSize = 16, MaxStepsPerEpoch = 3, LearningRate = 0.05, LearningRateMin = 0.01, ArchitectureLearningRate = 0.05, CheckpointDirectory = checkpoints };
        var builder = new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).UseSpace(() => new TinyNet())
            .UseStrategy(new ShrinkingStrategy(options)).UseSeed(3);
        if (epochs is not null) builder.WithProgress(epochs);
        if (steps is not null) builder.WithStepProgress(steps);
        if (resume is not null) builder.ResumeFrom(resume);
        return builder.Build().Run(ct);
    }

    private static void AssertSameRun(SearchResult expected, string expectedDir, SearchResult actual, string actualDir)
    {
        Assert.Equal(expected.History.Select(h => h.TrainLoss), actual.History.Select(h => h.TrainLoss));
        Assert.Equal(expected.History.Select(h => h.ValidLoss), actual.History.Select(h => h.ValidLoss));
        Assert.Equal(expected.History.Select(h => h.LearningRate), actual.History.Select(h => h.LearningRate));
        Assert.Equal(expected.Architecture!.ToJson(), actual.Architecture!.ToJson());
        Checkpoint a = Checkpoint.Load(Path.Combine(expectedDir, "shrinking.ckpt")), b = Checkpoint.Load(Path.Combine(actualDir, "shrinking.ckpt"));
        foreach (string section in Sections)
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");
        Assert.Equal(a.Metadata.Values["strategyState"].GetRawText(), b.Metadata.Values["strategyState"].GetRawText());
    }

    [Fact]
    public void TheSamplesStrategyCancelledAfterAnEpochAndResumedEndsBitForBitLikeAnUninterruptedRun()
    {
        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = Shrinking(full);
        Assert.Equal("shrinking", uninterrupted.Strategy);
        Assert.Equal(3, uninterrupted.History.Count);
        Assert.All(uninterrupted.History, h => Assert.True(double.IsFinite(h.TrainLoss) && double.IsFinite(h.ValidLoss)));
        // Two epochs drop two of the three candidates of every choice: the state value says so.
        int[][] inPlay = Checkpoint.Load(Path.Combine(full, "shrinking.ckpt")).Metadata.Values["strategyState"].Deserialize<int[][]>()!;
        Assert.Equal(3, inPlay.Length);
        Assert.All(inPlay, c => Assert.Single(c));
        Assert.Equal(inPlay.Select(c => c[0]), uninterrupted.Architecture!.Choices.Select(c => c.Picks.Single()));

        using var cts = new CancellationTokenSource();
        SearchResult first = Shrinking(split, ct: cts.Token, epochs: new InlineProgress<EpochReport>(r => { if (r.Epoch == 1) cts.Cancel(); }));
        Assert.True(first.Cancelled);
        Assert.Single(first.History);
        SearchResult resumed = Shrinking(split, resume: Path.Combine(split, "shrinking.ckpt"));

        Assert.False(resumed.Cancelled);
        Assert.Equal(3, resumed.History.Count);
        AssertSameRun(uninterrupted, full, resumed, split);
    }

    [Fact]
    public void TheSamplesStrategyCancelledInTheMiddleOfAnEpochResumesAtThatStep()
    {
        string full = Path.Combine(_dir, "full"), split = Path.Combine(_dir, "split");
        SearchResult uninterrupted = Shrinking(full);

        using var cts = new CancellationTokenSource();
        SearchResult first = Shrinking(split, ct: cts.Token, steps: new InlineProgress<StepReport>(r => { if (r.Epoch == 2 && r.Step == 2) cts.Cancel(); }));
        Assert.True(first.Cancelled);
        Checkpoint saved = Checkpoint.Load(Path.Combine(split, "shrinking.ckpt"));
        Assert.Equal((1, 2), (saved.Metadata.Epoch, saved.Metadata.Step));

        SearchResult resumed = Shrinking(split, resume: Path.Combine(split, "shrinking.ckpt"));
        AssertSameRun(uninterrupted, full, resumed, split);
    }

    [Fact]
    public void ACheckpointWhoseTensorsDoNotFitIsRefusedNamingTheTensor()
    {
        string dir = Path.Combine(_dir, "wide");
        new SearchBuilder().UseDataset(TinySearch.Data(count: 64)).UseSpace(() => new TinyNet()).UseSeed(1)
            .UseStrategy(new OwnLoopStrategy(dir, alphaLength: 3)).Build().Run();
        var ex = Assert.Throws<CheckpointException>(() => new SearchBuilder().UseDataset(TinySearch.Data(count: 64)).UseSpace(() => new TinyNet()).UseSeed(1)
            .UseStrategy(new OwnLoopStrategy(dir, alphaLength: 4)).ResumeFrom(Path.Combine(dir, "own.ckpt")).Build().Run());
        Assert.Contains("'alpha'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[3]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLoopRefusesABuiltInsNameABadPortionAndASecondRunAndKeepsAStrategysWarnings()
    {
        var data = new SearchBuilder().UseDataset(TinySearch.Data(count: 64)).UseSpace(() => new TinyNet()).UseSeed(1);
        var ex = Assert.Throws<ArgumentException>(() => data.UseStrategy(new OwnLoopStrategy(null, name: "darts")).Build().Run());
        Assert.Contains("'darts'", ex.Message, StringComparison.Ordinal);
        var portion = Assert.Throws<ArgumentOutOfRangeException>(() => data.UseStrategy(new OwnLoopStrategy(null, trainPortion: 1)).Build().Run());
        Assert.Equal("trainPortion", portion.ParamName);
        SearchResult once = data.UseStrategy(new OwnLoopStrategy(null)).Build().Run();
        Assert.Equal(["epoch 1 ended"], once.Warnings);
        Assert.Equal("own", once.Strategy);
        var twice = Assert.Throws<InvalidOperationException>(() => data.UseStrategy(new OwnLoopStrategy(null, runTwice: true)).Build().Run());
        Assert.Contains("already ran", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HooksOutsideAStepThrow()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new SearchBuilder().UseDataset(TinySearch.Data(count: 64)).UseSpace(() => new TinyNet()).UseSeed(1)
            .UseStrategy(new OwnLoopStrategy(null, lossAtEnd: true)).Build().Run());
        Assert.Contains("call it from Step", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A one-epoch loop that trains nothing but a tensor of its own, for the loop's checks.</summary>
    private sealed class OwnLoopStrategy(string? dir, int alphaLength = 3, string name = "own", double trainPortion = 0.5, bool runTwice = false, bool lossAtEnd = false) : IStrategy
    {
        public string Name => name;

        public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
        {
            var options = new ShrinkingOptions { Epochs = 1, BatchSize = 16, MaxStepsPerEpoch = 1, CheckpointDirectory = dir };
            using var loop = new Loop(name, context, options, trainPortion, alphaLength, lossAtEnd);
            SearchResult r = loop.Run(cancellationToken);
            return runTwice ? loop.Run(cancellationToken) : r;
        }

        private sealed class Loop(string name, SearchContext context, ShrinkingOptions options, double trainPortion, int alphaLength, bool lossAtEnd)
            : SearchLoop(name, context, options, trainPortion)
        {
            private readonly Tensor _alpha = zeros(alphaLength);

            protected override void Step(Tensor input, Tensor target, Tensor validInput, Tensor validTarget) =>
                AddLoss(zeros(1).squeeze(), zeros(target.shape[0], 10));

            protected override EpochReport EndEpoch(EpochReport report)
            {
                if (lossAtEnd) AddLoss(zeros(1), zeros(1, 10));
                Warn($"epoch {report.Epoch} ended");
                return report;
            }

            protected override IReadOnlyDictionary<string, Tensor> StateDict() => new Dictionary<string, Tensor> { ["alpha"] = _alpha };

            protected override object? StateValue() => new[] { 1, 2 };

            protected override void LoadStateValue(JsonElement value) => Assert.Equal([1, 2], value.Deserialize<int[]>()!);

            protected override ChoiceArchitecture DeriveArchitecture() => new([new IstaNas.Choices.ArchitectureChoice("x", [0])]);

            protected override void Dispose(bool disposing)
            {
                if (disposing) _alpha.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
