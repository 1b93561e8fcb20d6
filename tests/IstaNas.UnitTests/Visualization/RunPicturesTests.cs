using System.Xml.Linq;
using IstaNas.Strategies;
using IstaNas.Visualization;

namespace IstaNas.Tests.Visualization;

/// <summary>RunPictures: which files a search and an evaluation get, that each is a valid picture, and failures.</summary>
public sealed class RunPicturesTests : IDisposable
{
    private static readonly string[] CellFiles = ["normal.png", "normal.svg", "normal.dot", "reduce.png", "reduce.svg", "reduce.dot"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "istanas-pictures-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void AOneStageSearchGetsCellsCurvesZAndTheFreezeTimeline()
    {
        SavedFiles saved = RunPictures.Write(_dir, FakeHistories.OneStage());
        Assert.True(saved.AllWritten, string.Join("; ", saved.Failed));
        Assert.Equal([.. CellFiles, "loss.png", "accuracy.png", "learning_rate.png", "z_magnitude.png", "freeze_timeline.png"],
            saved.Written.Select(Path.GetFileName));
        AssertValid(saved);
        Keep(saved, "one-stage");
    }

    [Fact]
    public void ATwoStageSearchGetsNoFreezeTimeline()
    {
        SavedFiles saved = RunPictures.Write(_dir, FakeHistories.TwoStage());
        Assert.Equal([.. CellFiles, "loss.png", "accuracy.png", "learning_rate.png", "z_magnitude.png"], saved.Written.Select(Path.GetFileName));
        AssertValid(saved);
        Keep(saved, "two-stage");
    }

    [Fact]
    public void AnEvaluationGetsCellsLossAccuracyAndLearningRate()
    {
        SavedFiles saved = RunPictures.Write(_dir, FakeHistories.Evaluation());
        Assert.True(saved.AllWritten, string.Join("; ", saved.Failed));
        Assert.Equal([.. CellFiles, "loss.png", "accuracy.png", "learning_rate.png"], saved.Written.Select(Path.GetFileName));
        AssertValid(saved);
        Keep(saved, "evaluate");
    }

    [Fact]
    public void AnEmptyHistoryGetsOnlyTheCells()
    {
        var result = new SearchResult { Genotype = IstaNas.Architecture.Genotype.DartsV2, History = [], Elapsed = TimeSpan.Zero };
        Assert.Equal(CellFiles, RunPictures.Write(_dir, result).Written.Select(Path.GetFileName));
        Assert.Equal(CellFiles, RunPictures.Write(Path.Combine(_dir, "eval"), FakeHistories.Evaluation() with { History = [] }).Written.Select(Path.GetFileName));
    }

    [Fact]
    public void AnUnwritableFolderIsReportedNotThrown()
    {
        Directory.CreateDirectory(_dir);
        string blocked = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocked, "not a folder");
        SavedFiles saved = RunPictures.Write(blocked, FakeHistories.OneStage());
        Assert.Empty(saved.Written);
        Assert.Equal(11, saved.Failed.Count);
        Assert.All(saved.Failed, f => Assert.StartsWith(blocked, f.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void APictureThatCannotBeDrawnIsReportedAndTheOthersAreStillWritten()
    {
        var writer = new PictureWriter(_dir);
        writer.Png("broken.png", () => throw new InvalidOperationException("boom"));
        writer.Png("not-applicable.png", () => null);
        writer.Text("fine.svg", () => "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        SavedFiles saved = writer.Finish();
        FileFailure failure = Assert.Single(saved.Failed);
        Assert.Equal(Path.Combine(Path.GetFullPath(_dir), "broken.png"), failure.Path);
        Assert.Contains("boom", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(["fine.svg"], saved.Written.Select(Path.GetFileName));
        Assert.Equal(["fine.svg"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => RunPictures.Write(_dir, (SearchResult)null!));
        Assert.Throws<ArgumentException>(() => RunPictures.Write(" ", FakeHistories.TwoStage()));
    }

    private void AssertValid(SavedFiles saved)
    {
        Assert.Equal(saved.Written.Order(StringComparer.Ordinal), Directory.GetFiles(_dir).Order(StringComparer.Ordinal)); // no temporary files
        foreach (string file in saved.Written)
        {
            byte[] bytes = File.ReadAllBytes(file);
            switch (Path.GetExtension(file))
            {
                case ".png":
                    PngReader.Image image = PngReader.Decode(bytes);
                    Assert.InRange(image.Width, 300, 2000);
                    Assert.InRange(image.Height, 150, 1200);
                    Assert.True(image.DistinctColours() > 100, $"{file} has only {image.DistinctColours()} colours.");
                    break;
                case ".svg":
                    Assert.Equal("svg", XDocument.Parse(System.Text.Encoding.UTF8.GetString(bytes)).Root!.Name.LocalName);
                    break;
                case ".dot":
                    Assert.StartsWith("digraph", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
                    break;
                default:
                    Assert.Fail($"Unexpected file {file}.");
                    break;
            }
        }
    }

    /// <summary>With ISTANAS_KEEP_ARTIFACTS set, copies the pictures there to look at.</summary>
    private static void Keep(SavedFiles saved, string name)
    {
        string? keep = Environment.GetEnvironmentVariable("ISTANAS_KEEP_ARTIFACTS");
        if (string.IsNullOrEmpty(keep)) return;
        string target = Directory.CreateDirectory(Path.Combine(keep, name)).FullName;
        foreach (string f in saved.Written) File.Copy(f, Path.Combine(target, Path.GetFileName(f)), overwrite: true);
    }
}
