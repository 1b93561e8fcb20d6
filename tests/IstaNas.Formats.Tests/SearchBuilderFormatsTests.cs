using IstaNas.Data;
using IstaNas.Tests.Data;
using Microsoft.Extensions.Logging;

namespace IstaNas.Tests;

/// <summary>
/// The builder's file-format sources, extension methods of this package on <see cref="SearchBuilder"/>: they read their
/// files at Build (not at the call), read them as the matching <c>ImageDataset.Load…</c> does, and log through the
/// builder's logging as it stands at Build.
/// </summary>
public class SearchBuilderFormatsTests
{
    [Fact]
    public void MissingDataIsNamedAtBuildNotAtTheCall()
    {
        SearchBuilder cifar10 = new SearchBuilder().UseCifar10("/no/such/cifar");
        Assert.Contains("/no/such/cifar", Assert.Throws<DirectoryNotFoundException>(() => cifar10.Build()).Message);
        SearchBuilder cifar100 = new SearchBuilder().UseCifar100("/no/such/cifar100", coarseLabels: true);
        Assert.Contains("/no/such/cifar100", Assert.Throws<DirectoryNotFoundException>(() => cifar100.Build()).Message);
        SearchBuilder idx = new SearchBuilder().UseIdx("/no/such/images.idx", "/no/such/labels.idx");
        Assert.Contains("/no/such/images.idx", Assert.Throws<FileNotFoundException>(() => idx.Build()).Message);
        Assert.Throws<ArgumentException>(() => new SearchBuilder().UseCifar10(" "));
        Assert.Throws<ArgumentNullException>(() => SearchBuilderFormats.UseImageFolder(null!, "/data"));
    }

    [Fact]
    public void UseIdxSearchesWhatLoadIdxReads()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images.idx"), labels = dir.File("labels.idx");
        File.WriteAllBytes(images, TempDirectory.IdxImages(6, 8, 8));
        File.WriteAllBytes(labels, TempDirectory.IdxLabels([0, 1, 2, 0, 1, 2]));
        Search search = new SearchBuilder().UseIdx(images, labels, channels: 3, padTo: 12).Build();
        ImageDataset loaded = ImageDataset.LoadIdx(images, labels, channels: 3, padTo: 12);
        var train = Assert.IsAssignableFrom<ImageDataset>(search.Context.Train);
        Assert.Equal((loaded.Count, loaded.ClassCount, 3, 12, 12), (train.Count, train.ClassCount, train.Channels, train.Height, train.Width));
        Assert.Equal(loaded.Mean, train.Mean);
        for (int i = 0; i < loaded.Count; i++)
        {
            Assert.Equal(loaded.Labels[i], train.Labels[i]);
            Assert.True(loaded.GetImage(i).SequenceEqual(train.GetImage(i)), $"image {i} differs");
        }
    }

    [Fact]
    public void UseImageFolderWarnsThroughTheLoggingTheBuilderHasAtBuild()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 4, size: 8);
        File.WriteAllBytes(Path.Combine(dir.Path, "a", "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var logger = new ListLogger();
        SearchBuilder builder = new SearchBuilder().UseImageFolder(dir.Path, new ImageFolderOptions { ImageSize = 8, SkipInvalidImages = true });
        builder.UseLogging(new OneLoggerFactory(logger)); // set after UseImageFolder: the reader still logs through it
        builder.Build();
        Assert.Contains(logger.Warnings, w => w.Contains("broken.png", StringComparison.Ordinal));
    }

    /// <summary>A logger factory that hands out one logger.</summary>
    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
