using IstaNas.Data;
using IstaNas.Formats;
using IstaNas.Strategies;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Strategies;

/// <summary>A short two-stage search on a generated image folder, through the public API only.</summary>
public class ImageFolderSearchTests
{
    [Fact]
    public void TwoStageSearchRunsOnAnImageFolderDecodedOnDemand()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["circle", "square", "star"], perClass: 32, size: 20);

        var reports = new List<EpochReport>();
        Search search = new SearchBuilder()
            .UseImageFolder(dir.Path, new ImageFolderOptions { ImageSize = 16, InMemoryLimitBytes = 0 })
            .UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 3))
            .UseSeed(3)
            .WithProgress(new InlineProgress<EpochReport>(reports.Add))
            .Build();
        var train = Assert.IsType<ImageFolderDataset>(search.Context.Train);
        Assert.True(train.DecodesOnDemand);
        Assert.Equal(["circle", "square", "star"], train.ClassNames);
        Assert.Equal((3, 16, 16), (train.Channels, train.Height, train.Width));
        // The seeded fifth of every class is held out, exactly the images the sample's evaluate holds out.
        var (_, heldOut) = ImageFolder.LoadTrainTest(dir.Path, new ImageFolderOptions { ImageSize = 16, InMemoryLimitBytes = 0 });
        Assert.Equal(3 * 26, train.Count);
        Assert.Equal(3 * 6, heldOut.Count);
        Assert.Empty(train.Files.Intersect(((ImageFolderDataset)heldOut).Files)); // the search never sees them

        SearchResult result = search.Run();
        Assert.False(result.Cancelled);
        Assert.Equal(2, result.History.Count);
        Assert.Equal(2, reports.Count);
        Assert.All(result.History, r => Assert.True(double.IsFinite(r.TrainLoss)));
        Assert.NotNull(result.Genotype);

        // Decoding on demand with read-ahead changes nothing: the same search on the in-memory folder is bit-identical.
        SearchResult eager = new SearchBuilder()
            .UseImageFolder(dir.Path, new ImageFolderOptions { ImageSize = 16 })
            .UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 3))
            .UseSeed(3)
            .Build()
            .Run();
        Assert.Equal(result.History.Select(h => h.TrainLoss), eager.History.Select(h => h.TrainLoss));
        Assert.Equal(result.History.Select(h => h.ValidLoss), eager.History.Select(h => h.ValidLoss));
        Assert.Equal(result.Genotype, eager.Genotype);
    }

    [Fact]
    public void WithTrainAndTestFoldersTheSearchReadsOnlyTheTrainingImages()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(Path.Combine(dir.Path, "train"), ["a", "b"], perClass: 3, size: 8);
        TestImages.WriteFolder(Path.Combine(dir.Path, "val"), ["a", "b"], perClass: 1, size: 8);
        Search search = new SearchBuilder().UseImageFolder(dir.Path, new ImageFolderOptions { ImageSize = 8, Channels = 1 }).Build();
        Assert.Equal(6, search.Context.Train.Count);
        Assert.Equal(1, search.Context.Train.SampleShape[0]);

        var missing = Assert.Throws<DirectoryNotFoundException>(() => new SearchBuilder().UseImageFolder(Path.Combine(dir.Path, "nope")).Build());
        Assert.Contains("nope", missing.Message);
    }
}
