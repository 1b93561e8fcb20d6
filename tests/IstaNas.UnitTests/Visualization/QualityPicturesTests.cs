using IstaNas.Architecture;
using IstaNas.Quality;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using IstaNas.Visualization;

namespace IstaNas.Tests.Visualization;

/// <summary>QualityPictures: the consistency scatter and the sweep plot are valid pictures; nothing to draw, no file.</summary>
public sealed class QualityPicturesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "istanas-quality-pictures-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    internal static ConsistencyResult Study(int count = 10)
    {
        var random = new IstaNas.Data.DeterministicRandom(3);
        IReadOnlyList<Genotype> genotypes = RandomArchitectures.DrawDistinct(new SearchSpaceOptions(), count, 1);
        ConsistencyPoint[] points = [.. genotypes.Select((g, i) =>
        {
            double superNet = 0.35 + (0.3 * random.NextDouble());
            return new ConsistencyPoint(i, g, superNet, Math.Clamp(0.5 + (0.6 * (superNet - 0.5)) + (0.08 * random.NextGaussian()), 0, 1), 200_000 + (i * 1000));
        })];
        double[] x = [.. points.Select(p => p.SuperNetAccuracy)], y = [.. points.Select(p => p.StandAloneAccuracy)];
        return new ConsistencyResult
        {
            SuperNetStrategy = "random",
            SuperNetEpochs = 50,
            SuperNetCheckpoint = "/runs/supernet/random.ckpt",
            Points = points,
            KendallTau = RankCorrelation.KendallTauB(x, y),
            SpearmanRho = RankCorrelation.Spearman(x, y),
        };
    }

    internal static RunAccuracy[] Sweep() =>
    [
        new("two-stage", 0, 0.712), new("two-stage", 1, 0.735), new("two-stage", 2, 0.701), new("two-stage", 3, 0.728),
        new("random", 0, 0.655), new("random", 1, 0.690), new("random", 2, 0.671), new("random", 3, 0.671),
        new("darts", 0, 0.702), new("darts", 1, double.NaN), new("darts", 2, 0.744),
    ];

    [Fact]
    public void TheConsistencyScatterAndTheSweepPlotAreValidPictures()
    {
        SavedFiles consistency = QualityPictures.Write(_dir, Study());
        SavedFiles sweep = QualityPictures.Write(_dir, Sweep());
        Assert.True(consistency.AllWritten && sweep.AllWritten, string.Join("; ", [.. consistency.Failed, .. sweep.Failed]));
        Assert.Equal(["consistency.png"], consistency.Written.Select(Path.GetFileName));
        Assert.Equal(["sweep_accuracy.png"], sweep.Written.Select(Path.GetFileName));
        foreach (string file in consistency.Written.Concat(sweep.Written))
        {
            PngReader.Image image = PngReader.Decode(File.ReadAllBytes(file));
            Assert.InRange(image.Width, 600, 2000);
            Assert.InRange(image.Height, 400, 1200);
            Assert.True(image.DistinctColours() > 100, $"{file} has only {image.DistinctColours()} colours.");
        }

        Keep([.. consistency.Written, .. sweep.Written]);
    }

    [Fact]
    public void TheScatterIsTallerThanTheSweepPlots()
    {
        (int, int) Size(string file)
        {
            PngReader.Image image = PngReader.Decode(File.ReadAllBytes(file));
            return (image.Width, image.Height);
        }

        Assert.Equal((900, 640), Size(QualityPictures.Write(_dir, Study()).Written.Single()));
        Assert.Equal((900, 520), Size(QualityPictures.Write(_dir, Sweep()).Written.Single()));
        Assert.Equal((900, 520), Size(QualityPictures.WriteTableAccuracy(_dir, Sweep()).Written.Single()));
    }

    [Fact]
    public void NothingToDrawWritesNothingAndAnUnwritableFolderIsReported()
    {
        Assert.Empty(QualityPictures.Write(_dir, Study() with { Points = [] }).Written);
        Assert.Empty(QualityPictures.Write(_dir, [new RunAccuracy("random", 0, double.NaN)]).Written);
        Directory.CreateDirectory(_dir);
        string blocked = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocked, "not a folder");
        Assert.Single(QualityPictures.Write(blocked, Study()).Failed);
        Assert.Single(QualityPictures.Write(blocked, Sweep()).Failed);
    }

    /// <summary>With ISTANAS_KEEP_ARTIFACTS set, copies the pictures there to look at.</summary>
    private static void Keep(IEnumerable<string> files)
    {
        string? keep = Environment.GetEnvironmentVariable("ISTANAS_KEEP_ARTIFACTS");
        if (string.IsNullOrEmpty(keep)) return;
        string target = Directory.CreateDirectory(Path.Combine(keep, "quality")).FullName;
        foreach (string f in files) File.Copy(f, Path.Combine(target, Path.GetFileName(f)), overwrite: true);
    }
}
