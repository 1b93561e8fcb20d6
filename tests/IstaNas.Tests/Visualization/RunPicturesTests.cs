using IstaNas.Architecture;
using IstaNas.Visualization;
using IstaNas.Strategies;

namespace IstaNas.Tests.Visualization;

public sealed class RunPicturesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "istanas-artifacts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A one-stage-like history: search epochs with |z| and nodes freezing, then train epochs.</summary>
    internal static SearchResult FakeRun(int searchEpochs = 12, int trainEpochs = 6)
    {
        var history = new List<EpochReport>();
        string[] keys = [.. new[] { "normal", "reduce" }.SelectMany(c => Enumerable.Range(0, 4).Select(i => $"{c}/{i}"))];
        var frozen = new List<string>();
        for (int e = 1; e <= searchEpochs; e++)
        {
            if (e % 2 == 0 && frozen.Count < keys.Length - 1) frozen.Add(keys[(frozen.Count * 3) % keys.Length]);
            history.Add(new EpochReport
            {
                Epoch = e,
                Epochs = searchEpochs,
                LearningRate = 0.025,
                TrainLoss = 2.3 * Math.Exp(-0.1 * e),
                TrainAccuracy = 0.1 + 0.05 * e,
                ValidLoss = e % 3 == 0 ? double.NaN : 2.4 * Math.Exp(-0.08 * e),
                ValidAccuracy = 0.1 + 0.04 * e,
                // Node i has (i + 2) * 7 candidates: (predecessor, operation), predecessor-major.
                ZMagnitude = keys.ToDictionary(k => k, k =>
                {
                    int node = k[^1] - '0', salt = k.Sum(ch => ch) % 97;
                    return Enumerable.Range(0, (node + 2) * 7).Select(j => Math.Abs(Math.Sin(j * 1.7 + salt + e * 0.3)) * ((j * 31 + salt) % 11) / 10.0).ToArray();
                }),
                FrozenNodes = [.. frozen],
                Elapsed = TimeSpan.FromSeconds(1),
            });
        }
        for (int e = 1; e <= trainEpochs; e++)
            history.Add(new EpochReport
            {
                Epoch = e,
                Epochs = trainEpochs,
                Phase = TrainingPhase.Train,
                LearningRate = 0.01,
                TrainLoss = 0.6 - 0.05 * e,
                TrainAccuracy = 0.7 + 0.02 * e,
                FrozenNodes = keys,
                Elapsed = TimeSpan.FromSeconds(1),
            });
        return new SearchResult { Genotype = KnownGenotypes.IstaTwoStage, History = history, Elapsed = TimeSpan.FromSeconds(18) };
    }

    [Fact]
    public void WritesEveryPictureAsValidPngOrSvg()
    {
        IReadOnlyList<string> files = RunPictures.Write(_dir, FakeRun());
        string[] names = files.Select(Path.GetFileName).ToArray()!;
        Assert.Equal(["normal.svg", "reduce.svg", "normal.png", "reduce.png", "loss.png", "accuracy.png", "z_magnitude.png", "freeze_timeline.png"], names);
        foreach (string png in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            PngReader.Image image = PngReader.Decode(File.ReadAllBytes(png));
            Assert.InRange(image.Width, 200, 3000);
            Assert.InRange(image.Height, 150, 3000);
            Assert.True(image.Rgb.Distinct().Count() > 2, $"{png} is blank.");
        }
        Assert.Equal(files.Count, Directory.GetFiles(_dir).Length); // no temporary files left
        string? keep = Environment.GetEnvironmentVariable("ISTANAS_KEEP_ARTIFACTS");
        if (!string.IsNullOrEmpty(keep))
            foreach (string f in files) File.Copy(f, Path.Combine(Directory.CreateDirectory(keep).FullName, Path.GetFileName(f)), overwrite: true);
    }

    [Fact]
    public void SkipsHistoryPlotsThatHaveNoData()
    {
        var result = new SearchResult { Genotype = KnownGenotypes.DartsV2, History = [], Elapsed = TimeSpan.Zero };
        string[] names = RunPictures.Write(_dir, result).Select(Path.GetFileName).ToArray()!;
        Assert.Equal(["normal.svg", "reduce.svg", "normal.png", "reduce.png"], names);
    }

    [Fact]
    public void CellPngHasTheLayoutSizeTimesTwo()
    {
        IstaNas.Visualization.CellLayout layout = IstaNas.Visualization.CellLayout.Create(KnownGenotypes.DartsV2, CellType.Reduce);
        var canvas = IstaNas.Visualization.Plots.CellPicture.Render(KnownGenotypes.DartsV2, CellType.Reduce);
        PngReader.Image image = PngReader.Decode(canvas.ToPng());
        Assert.Equal((int)Math.Ceiling(layout.Width * 2), image.Width);
        Assert.Equal((int)Math.Ceiling(layout.Height * 2), image.Height);
    }
}
