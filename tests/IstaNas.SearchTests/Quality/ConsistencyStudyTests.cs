using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Quality;
using IstaNas.Tests.Strategies;

namespace IstaNas.Tests.Quality;

/// <summary>The consistency study on a tiny random weight-sharing super-net: points, rank correlations, files, a rerun that continues.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class ConsistencyStudyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("istanas-consistency").FullName;
    private readonly ImageDataset _train = TinySearch.Data(count: 192);
    private readonly ImageDataset _test = TinySearch.Data(count: 96, seed: 11);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A super-net trained by random search with weight sharing (2 epochs of 3 steps); returns its checkpoint.</summary>
    private string SuperNet(string name = "supernet")
    {
        string folder = Path.Combine(_dir, name);
        new SearchBuilder().UseDataset(_train).UseRandom(o =>
        {
            TinySearch.Configure(o, epochs: 2, steps: 3);
            o.WeightSharing = true;
            o.Candidates = 1;
            o.CalibrationBatches = 1;
            o.CheckpointDirectory = folder;
        }).UseSeed(1).Build().Run();
        return Path.Combine(folder, "random.ckpt");
    }

    private static ConsistencyOptions Options(string? work, int architectures = 4) => new()
    {
        Architectures = architectures,
        Seed = 2,
        CalibrationBatches = 2,
        ScoringBatchSize = 16,
        WorkDirectory = work,
        StandAlone = new EvaluationOptions
        {
            Epochs = 1, Channels = 4, Layers = 3, BatchSize = 16, MaxStepsPerEpoch = 3, Auxiliary = false, Cutout = false, DropPathProbability = 0, Seed = 4,
        },
    };

    [Fact]
    public void ATinyStudyGivesOnePointPerArchitectureAndATauInRangeAndARerunSkipsWhatFinished()
    {
        string checkpoint = SuperNet();
        string work = Path.Combine(_dir, "work");
        var reported = new List<ConsistencyPoint>();
        int epochs = 0;
        ConsistencyResult result = new ConsistencyStudy(Options(work))
        {
            Progress = new InlineProgress<ConsistencyPoint>(reported.Add),
            StandAloneProgress = new InlineProgress<EpochReport>(_ => epochs++),
        }.Run(checkpoint, _train, _test);

        Assert.False(result.Cancelled);
        Assert.Equal(4, result.Points.Count);
        Assert.Equal(result.Points, reported);
        Assert.Equal(4, epochs);
        Assert.Equal([0, 1, 2, 3], result.Points.Select(p => p.Index));
        Assert.Equal(4, result.Points.Select(p => p.Genotype).Distinct().Count());
        Assert.All(result.Points, p =>
        {
            Assert.InRange(p.SuperNetAccuracy, 0, 1);
            Assert.InRange(p.StandAloneAccuracy, 0, 1);
            Assert.True(p.ParameterCount > 0);
        });
        Assert.InRange(result.KendallTau, -1, 1);
        Assert.InRange(result.SpearmanRho, -1, 1);
        Assert.Equal(("random", 2), (result.SuperNetStrategy, result.SuperNetEpochs));

        // Files: JSON with the statistics and every point, CSV with one row per point.
        SavedFiles saved = result.Save(_dir);
        Assert.True(saved.AllWritten);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "consistency.json")));
        Assert.Equal(result.KendallTau, json.RootElement.GetProperty("kendallTau").GetDouble(), 12);
        Assert.Equal(4, json.RootElement.GetProperty("points").GetArrayLength());
        Assert.Equal(5, File.ReadAllLines(Path.Combine(_dir, "consistency.csv")).Length);

        // A rerun on the same work folder trains nothing and gives the same points.
        epochs = 0;
        ConsistencyResult again = new ConsistencyStudy(Options(work)) { StandAloneProgress = new InlineProgress<EpochReport>(_ => epochs++) }
            .Run(checkpoint, _train, _test);
        Assert.Equal(0, epochs);
        Assert.Equal(result.Points.Select(p => (p.SuperNetAccuracy, p.StandAloneAccuracy)), again.Points.Select(p => (p.SuperNetAccuracy, p.StandAloneAccuracy)));

        // More architectures: the first four are reused, the fifth trains.
        ConsistencyResult more = new ConsistencyStudy(Options(work, architectures: 5)) { StandAloneProgress = new InlineProgress<EpochReport>(_ => epochs++) }
            .Run(checkpoint, _train, _test);
        Assert.Equal(5, more.Points.Count);
        Assert.Equal(1, epochs);
    }

    [Fact]
    public void WhenStandAloneEqualsSuperNetAccuracyBothStatisticsAreOne()
    {
        string checkpoint = SuperNet();
        ConsistencyResult result = new ConsistencyStudy(Options(work: null, architectures: 6)) { StandAloneOverride = (_, _, superNet) => superNet }
            .Run(checkpoint, _train, _test);
        Assert.Equal(6, result.Points.Count);
        Assert.True(result.Points.Select(p => p.SuperNetAccuracy).Distinct().Count() > 1, "every architecture scored the same; the test needs a ranking");
        Assert.Equal(1, result.KendallTau, 12);
        Assert.Equal(1, result.SpearmanRho, 12);

        ConsistencyResult reversed = new ConsistencyStudy(Options(work: null, architectures: 6)) { StandAloneOverride = (_, _, superNet) => 1 - superNet }
            .Run(checkpoint, _train, _test);
        Assert.Equal(-1, reversed.KendallTau, 12);
        Assert.Equal(-1, reversed.SpearmanRho, 12);
    }

    [Fact]
    public void ACheckpointOfOtherDataOrNoSuperNetIsRefusedWithAClearMessage()
    {
        string checkpoint = SuperNet();
        var study = new ConsistencyStudy(Options(work: null));
        var other = Assert.Throws<CheckpointException>(() => study.Run(checkpoint, TinySearch.Data(count: 192, seed: 9), _test));
        Assert.Contains("trained on other data", other.Message);

        string evaluation = Path.Combine(_dir, "evaluation");
        var options = Options(null).StandAlone;
        options.CheckpointDirectory = evaluation;
        using (new EvaluationTrainer(IstaNas.Architecture.Genotype.Known("darts_v2"), options).Train(_train, _test).Network) { }
        var notSearch = Assert.Throws<CheckpointException>(() => study.Run(Path.Combine(evaluation, "evaluation.ckpt"), _train, _test));
        Assert.Contains("'evaluation' checkpoint, which holds no search super-net", notSearch.Message);
        Assert.Throws<FileNotFoundException>(() => study.Run(Path.Combine(_dir, "missing.ckpt"), _train, _test));
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ConsistencyStudy(new ConsistencyOptions { Architectures = 1 }));
    }
}
