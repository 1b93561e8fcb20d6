using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

/// <summary>Reading root/&lt;class&gt;/&lt;image&gt; folders: classes, labels, decoding, resizing, grey, order and splits.</summary>
public class ImageFolderTests
{
    private static readonly (byte, byte, byte) Red = (255, 0, 0), Green = (0, 255, 0), Blue = (0, 0, 255);

    private static (byte R, byte G, byte B) Rgb(ImageDataset ds, int index, int row, int column) =>
        (ds.GetPixel(index, 0, row, column), ds.GetPixel(index, 1, row, column), ds.GetPixel(index, 2, row, column));

    private static int IndexOf(ImageDataset ds, string fileName) =>
        ds.Files.Select((f, i) => (f, i)).Single(x => Path.GetFileName(x.f) == fileName).i;

    [Fact]
    public void ClassesAreSortedFolderNamesAndPngJpegAndBmpDecodeToTheirPixels()
    {
        using var dir = new TempDirectory();
        // "Zebra" sorts before "apple" in ordinal order (upper case first), as in Python's sorted().
        TestImages.WritePng(Path.Combine(dir.Path, "apple", "red.png"), TestImages.Solid(8, 8, Red), 8, 8);
        TestImages.WriteBmp(Path.Combine(dir.Path, "apple", "blue.BMP"), TestImages.Solid(8, 8, Blue), 8, 8);
        TestImages.WriteJpeg(Path.Combine(dir.Path, "Zebra", "green.jpeg"), TestImages.Solid(8, 8, Green), 8, 8);
        TestImages.WritePng(Path.Combine(dir.Path, "Zebra", "green2.PNG"), TestImages.Solid(8, 8, Green), 8, 8);
        // Ignored: other extensions, hidden files (even with an image extension), subfolders of class folders.
        File.WriteAllText(Path.Combine(dir.Path, "apple", "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(dir.Path, "apple", ".DS_Store.png"), "junk");
        TestImages.WritePng(Path.Combine(dir.Path, "apple", "nested", "deep.png"), TestImages.Solid(8, 8, Red), 8, 8);
        Directory.CreateDirectory(Path.Combine(dir.Path, ".git"));

        var ds = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 8 });

        Assert.Equal(["Zebra", "apple"], ds.ClassNames);
        Assert.Equal(2, ds.ClassCount);
        Assert.Equal(4, ds.Count);
        Assert.Equal((3, 8, 8), (ds.Channels, ds.Height, ds.Width));
        Assert.Equal(Path.GetFileName(dir.Path), ds.Name);
        Assert.True(ds.IsInMemory);
        for (int i = 0; i < ds.Count; i++)
        {
            Assert.Equal(Path.GetFileName(Path.GetDirectoryName(ds.Files[i])), ds.ClassNames[ds.Labels[i]]);
            Assert.Equal(ds.Files[i], ds.GetSource(i));
        }

        Assert.Equal(Red, Rgb(ds, IndexOf(ds, "red.png"), 3, 5));
        Assert.Equal(Blue, Rgb(ds, IndexOf(ds, "blue.BMP"), 7, 0));
        Assert.Equal(Green, Rgb(ds, IndexOf(ds, "green2.PNG"), 0, 7));
        var jpeg = Rgb(ds, IndexOf(ds, "green.jpeg"), 4, 4);
        Assert.InRange(jpeg.R, 0, 6);
        Assert.InRange(jpeg.G, 249, 255);
        Assert.InRange(jpeg.B, 0, 6);
    }

    [Fact]
    public void StretchAndCenterCropResizeAKnownPattern()
    {
        using var dir = new TempDirectory();
        // 64x32: left half red, right half blue.
        var rgb = new byte[64 * 32 * 3];
        for (int y = 0; y < 32; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                (rgb[(y * 64 + x) * 3], rgb[(y * 64 + x) * 3 + 1], rgb[(y * 64 + x) * 3 + 2]) = x < 32 ? Red : Blue;
            }
        }

        TestImages.WritePng(Path.Combine(dir.Path, "a", "wide.png"), rgb, 64, 32);
        TestImages.WritePng(Path.Combine(dir.Path, "b", "solid.png"), TestImages.Solid(50, 70, (10, 200, 99)), 50, 70);

        var stretch = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 32, Shuffle = false });
        Assert.Equal(["a", "b"], stretch.ClassNames);
        // Halved horizontally, rows unchanged: columns 0..14 stay red, 17..31 blue, 15 and 16 blend the edge.
        for (int x = 0; x < 32; x++)
        {
            var p = Rgb(stretch, 0, 9, x);
            if (x <= 14) Assert.Equal(Red, p);
            else if (x >= 17) Assert.Equal(Blue, p);
            else Assert.True(p.R is > 0 and < 255 && p.B is > 0 and < 255 && p.R + p.B is >= 254 and <= 256, $"column {x}: {p}");
        }

        // A solid image stays solid whatever the scaling (the filter weights sum to one).
        Assert.All(Enumerable.Range(0, 32), x => Assert.Equal((10, 200, 99), Rgb(stretch, 1, 31 - x, x)));

        // Center crop: the shorter side (32) is already the size, so the middle 32 columns (16..47) are kept exactly.
        var crop = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 32, ResizeMode = ImageResizeMode.CenterCrop, Shuffle = false });
        for (int x = 0; x < 32; x++)
        {
            Assert.Equal(x < 16 ? Red : Blue, Rgb(crop, 0, 20, x));
        }
    }

    [Fact]
    public void CenterCropOfATallImageKeepsTheMiddle()
    {
        using var dir = new TempDirectory();
        // 20 wide, 40 tall: the top 8 rows green, the rest red. Scaled to 10x20, then rows 5..14 are kept: all red.
        var rgb = new byte[20 * 40 * 3];
        for (int y = 0; y < 40; y++)
        {
            for (int x = 0; x < 20; x++)
            {
                (rgb[(y * 20 + x) * 3], rgb[(y * 20 + x) * 3 + 1], rgb[(y * 20 + x) * 3 + 2]) = y < 8 ? Green : Red;
            }
        }

        TestImages.WritePng(Path.Combine(dir.Path, "a", "tall.png"), rgb, 20, 40);
        TestImages.WritePng(Path.Combine(dir.Path, "b", "tall.png"), rgb, 20, 40);
        var crop = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 10, ResizeMode = ImageResizeMode.CenterCrop });
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(Red, Rgb(crop, 0, i / 10, i % 10)));
        // Stretched instead, the green band shows at the top.
        var stretch = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 10 });
        Assert.Equal(Green, Rgb(stretch, 0, 0, 4));
        Assert.Equal(Red, Rgb(stretch, 0, 9, 4));
    }

    [Fact]
    public void GreyUsesTheItuR601LumaOfPillow()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(Path.Combine(dir.Path, "r", "x.png"), TestImages.Solid(4, 4, Red), 4, 4);
        TestImages.WritePng(Path.Combine(dir.Path, "g", "x.png"), TestImages.Solid(4, 4, Green), 4, 4);
        TestImages.WritePng(Path.Combine(dir.Path, "b", "x.png"), TestImages.Solid(4, 4, Blue), 4, 4);
        TestImages.WritePngGrey(Path.Combine(dir.Path, "w", "x.png"), Enumerable.Repeat((byte)77, 16).ToArray(), 4, 4);
        var grey = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 4, Channels = 1 });
        Assert.Equal(1, grey.Channels);
        Assert.Single(grey.Mean);
        byte Luma(string cls) => grey.GetPixel(grey.Labels.ToList().IndexOf(grey.ClassNames.ToList().IndexOf(cls)), 0, 2, 2);
        Assert.Equal(76, Luma("r"));  // (255·19595 + 32768) >> 16
        Assert.Equal(150, Luma("g")); // (255·38470 + 32768) >> 16
        Assert.Equal(29, Luma("b"));  // (255·7471 + 32768) >> 16
        Assert.Equal(77, Luma("w"));  // grey stays grey

        // A grey file read as RGB has three equal channels.
        var rgb = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 4 });
        int w = rgb.Labels.ToList().IndexOf(rgb.ClassNames.ToList().IndexOf("w"));
        Assert.Equal((77, 77, 77), Rgb(rgb, w, 1, 1));
    }

    [Fact]
    public void TheSameFolderAndOptionsGiveTheSameDataSetInAShuffledOrder()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["cat", "dog", "owl"], perClass: 10);
        var a = ImageFolder.Load(dir.Path);
        var b = ImageFolder.Load(dir.Path);
        Assert.Equal(a.Files, b.Files);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Mean, b.Mean);
        Assert.Equal(a.Std, b.Std);
        Assert.True(a.AllPixels().SequenceEqual(b.AllPixels()));
        Assert.Equal((3, 32, 32), (a.Channels, a.Height, a.Width)); // the default size

        // Stored in a seeded random order, not class by class, so the strategies' Split(0.5) sees every class in both halves.
        Assert.NotEqual(a.Labels.Order(), a.Labels);
        var (first, second) = a.Split(0.5);
        Assert.Equal(3, first.Labels.Distinct().Count());
        Assert.Equal(3, second.Labels.Distinct().Count());
        Assert.Equal(a.GetSource(15), second.GetSource(0));

        var otherSeed = ImageFolder.Load(dir.Path, new ImageFolderOptions { Seed = 1 });
        Assert.NotEqual(a.Files, otherSeed.Files);
        Assert.Equal(a.Files.Order(StringComparer.Ordinal), otherSeed.Files.Order(StringComparer.Ordinal));
        var sorted = ImageFolder.Load(dir.Path, new ImageFolderOptions { Shuffle = false });
        Assert.Equal(sorted.Files.Order(StringComparer.Ordinal), sorted.Files);

        // Statistics are those of the pixels.
        var (mean, std) = a.ComputeChannelStatistics();
        Assert.Equal(mean, a.Mean);
        Assert.Equal(std, a.Std);
    }

    [Fact]
    public void ImagesWithoutATargetSizeKeepTheirSize()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 3, size: 9);
        var ds = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = null });
        Assert.Equal((9, 9), (ds.Height, ds.Width));
        int png = ds.Files.ToList().IndexOf(Path.Combine(dir.Path, "b", "img_000.png"));
        var expected = TestImages.Textured(9, 9, ds.Labels[png], 0);
        Assert.Equal(expected[(4 * 9 + 7) * 3 + 1], ds.GetPixel(png, 1, 4, 7));
    }

    [Fact]
    public void TrainAndTestFoldersGiveAPairSharingClassesAndStatistics()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(Path.Combine(dir.Path, "train"), ["ant", "bee", "cow"], perClass: 4);
        TestImages.WriteFolder(Path.Combine(dir.Path, "val"), ["bee", "cow"], perClass: 2);
        Assert.Equal((Path.Combine(dir.Path, "train"), Path.Combine(dir.Path, "val")), ImageFolder.FindTrainTestFolders(dir.Path));

        var (train, test) = ImageFolder.LoadTrainTest(dir.Path);
        Assert.Equal(12, train.Count);
        Assert.Equal(4, test.Count);
        Assert.Equal(["ant", "bee", "cow"], train.ClassNames);
        Assert.Equal(train.ClassNames, test.ClassNames);
        Assert.Equal([1, 1, 2, 2], test.Labels.Order());
        Assert.All(Enumerable.Range(0, test.Count), i => Assert.Equal(test.ClassNames[test.Labels[i]], Path.GetFileName(Path.GetDirectoryName(test.Files[i]))));
        Assert.Equal(train.Mean, test.Mean);
        Assert.Equal(train.Std, test.Std);
        Assert.EndsWith("-train", train.Name);
        Assert.EndsWith("-test", test.Name);

        // A test folder wins over a val folder.
        TestImages.WriteFolder(Path.Combine(dir.Path, "test"), ["ant"], perClass: 1);
        var (_, test2) = ImageFolder.LoadTrainTest(dir.Path);
        Assert.Equal([0], test2.Labels);

        // A test class without a training counterpart is named.
        TestImages.WriteFolder(Path.Combine(dir.Path, "test"), ["yak"], perClass: 1);
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.LoadTrainTest(dir.Path));
        Assert.Contains("'yak'", e.Message);
        Assert.Contains("no counterpart", e.Message);
    }

    [Fact]
    public void WithoutSplitFoldersASeededPortionOfEveryClassIsHeldOut()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b", "c"], perClass: 10, pngOnly: true);
        var (train, test) = ImageFolder.LoadTrainTest(dir.Path, new ImageFolderOptions { ImageSize = 8, TestPortion = 0.3 });
        Assert.Equal(21, train.Count);
        Assert.Equal(9, test.Count);
        Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(3, test.Labels.Count(l => l == k)));
        Assert.Empty(train.Files.Intersect(test.Files));
        Assert.Equal(30, train.Files.Union(test.Files).Count());
        Assert.Equal(train.Mean, test.Mean);

        // Stable for a seed, different for another.
        var (_, again) = ImageFolder.LoadTrainTest(dir.Path, new ImageFolderOptions { ImageSize = 8, TestPortion = 0.3 });
        Assert.Equal(test.Files, again.Files);
        var (_, other) = ImageFolder.LoadTrainTest(dir.Path, new ImageFolderOptions { ImageSize = 8, TestPortion = 0.3, Seed = 5 });
        Assert.NotEqual(test.Files.Order(), other.Files.Order());

        // Each class keeps at least one training image.
        using var tiny = new TempDirectory();
        TestImages.WriteFolder(tiny.Path, ["a", "b"], perClass: 1);
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.LoadTrainTest(tiny.Path));
        Assert.Contains("too few", e.Message);
    }

    [Fact]
    public void LazyAndEagerFoldersGiveIdenticalBatches()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b", "c"], perClass: 9, size: 20);
        var eager = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 16 });
        var lazy = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 16, InMemoryLimitBytes = 0 });
        Assert.True(eager.IsInMemory);
        Assert.False(eager.DecodesOnDemand);
        Assert.False(lazy.IsInMemory);
        Assert.True(lazy.DecodesOnDemand);
        Assert.Equal(eager.Files, lazy.Files);
        Assert.Equal(eager.Mean, lazy.Mean); // the statistics sample (2000) covers all 27 images
        Assert.Equal(eager.Std, lazy.Std);

        var options = new BatchLoaderOptions { BatchSize = 5, Seed = 7, Augmentation = AugmentationPipeline.Standard(cutoutLength: 4) };
        var eagerLoader = new BatchLoader(eager, options);
        var lazyLoader = new BatchLoader(lazy, options with { DecodeThreads = 3 });
        Assert.Equal(0, eagerLoader.PrefetchBatches);
        Assert.Equal(2, lazyLoader.PrefetchBatches);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var expected = eagerLoader.GetEpoch(epoch).ToList();
            var actual = lazyLoader.GetEpoch(epoch).ToList();
            try
            {
                Assert.Equal(expected.Count, actual.Count);
                for (int k = 0; k < expected.Count; k++)
                {
                    Assert.Equal(expected[k].SampleIndices, actual[k].SampleIndices);
                    Assert.True(TensorCompare.Same(expected[k].Images, actual[k].Images), $"epoch {epoch} batch {k}");
                    Assert.True(TensorCompare.Same(expected[k].Labels, actual[k].Labels));
                }
            }
            finally
            {
                expected.ForEach(x => x.Dispose());
                actual.ForEach(x => x.Dispose());
            }
        }

        // Resuming mid-epoch with prefetching replays the same batches; so does a single GetBatch.
        using (var resumed = lazyLoader.GetEpoch(1, startBatch: 3).First())
        using (var direct = eagerLoader.GetBatch(1, 3))
        {
            Assert.True(TensorCompare.Same(direct.Images, resumed.Images));
        }

        // ToInMemory decodes the same bytes.
        Assert.True(eager.AllPixels().SequenceEqual(lazy.ToInMemory().Pixels));
    }

    [Fact]
    public void StatisticsOfALargeLazyFolderComeFromASeededSample()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b", "c"], perClass: 6, size: 8);
        var all = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 8 });
        var options = new ImageFolderOptions { ImageSize = 8, InMemoryLimitBytes = 0, StatisticsSampleSize = 3 };
        var sampled = ImageFolder.Load(dir.Path, options);
        Assert.NotEqual(all.Mean, sampled.Mean);
        Assert.Equal(sampled.Mean, ImageFolder.Load(dir.Path, options).Mean);
        Assert.NotEqual(sampled.Mean, ImageFolder.Load(dir.Path, options with { Seed = 3 }).Mean);

        // Given statistics are used as they are.
        var given = ImageFolder.Load(dir.Path, options with { Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] });
        Assert.Equal([0.5f, 0.5f, 0.5f], given.Mean);
        Assert.Equal([0.25f, 0.25f, 0.25f], given.Std);
    }

    [Fact]
    public void OptionsAreValidatedNamingTheOptionAndValue()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 1);
        var size = Assert.Throws<ArgumentException>(() => ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 0 }));
        Assert.Contains("ImageSize", size.Message);
        var channels = Assert.Throws<ArgumentException>(() => ImageFolder.Load(dir.Path, new ImageFolderOptions { Channels = 2 }));
        Assert.Contains("Channels", channels.Message);
        Assert.Contains("2", channels.Message);
        var portion = Assert.Throws<ArgumentException>(() => ImageFolder.LoadTrainTest(dir.Path, new ImageFolderOptions { TestPortion = 1 }));
        Assert.Contains("TestPortion", portion.Message);
        var mean = Assert.Throws<ArgumentException>(() => ImageFolder.Load(dir.Path, new ImageFolderOptions { Mean = [0.5f], Std = [0.2f] }));
        Assert.Contains("one entry per channel", mean.Message);
    }
}

/// <summary>Test helpers on image folder data sets.</summary>
internal static class ImageFolderDatasetExtensions
{
    /// <summary>All pixels, decoded if needed.</summary>
    public static byte[] AllPixels(this ImageDataset ds) => ds.ToInMemory().Pixels.ToArray();
}
