using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

/// <summary>Every kind of bad image folder gets a clear message naming the folder or file, or is skipped with a warning when asked.</summary>
public class ImageFolderErrorTests
{
    private static void Corrupt(string path) => File.WriteAllBytes(path, [.. "this is not an image, just text"u8]);

    /// <summary>A PNG whose header is intact but whose image data is cut off: passes the header check, fails to decode.</summary>
    private static void Truncate(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }

    [Fact]
    public void AMissingRootIsNamed()
    {
        using var dir = new TempDirectory();
        string missing = Path.Combine(dir.Path, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.LoadTrainTest(missing));
    }

    [Fact]
    public void AnEmptyClassFolderIsNamedOrSkippedWithAWarning()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b", "c"], perClass: 2);
        string empty = Path.Combine(dir.Path, "b2");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.txt"), "no images here");

        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(dir.Path));
        Assert.Contains($"'{empty}'", e.Message);
        Assert.Contains("is empty", e.Message);
        Assert.Contains("1 files with other extensions were ignored", e.Message);
        Assert.Equal(dir.Path, e.FilePath);

        var log = new ListLogger();
        var ds = ImageFolder.Load(dir.Path, new ImageFolderOptions { SkipEmptyClassFolders = true }, log);
        Assert.Equal(["a", "b", "c"], ds.ClassNames);
        Assert.Equal(6, ds.Count);
        Assert.Contains(log.Warnings, w => w.Contains(empty, StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnreadableImageIsNamedOrSkippedWithAWarningAndLeftOut()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 3, pngOnly: true);
        string bad = Path.Combine(dir.Path, "b", "img_001.png");
        Corrupt(bad);

        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(dir.Path));
        Assert.Equal(bad, e.FilePath);
        Assert.Contains("not a PNG, JPEG or BMP image", e.Message);

        var log = new ListLogger();
        var ds = ImageFolder.Load(dir.Path, new ImageFolderOptions { SkipInvalidImages = true }, log);
        Assert.Equal(5, ds.Count);
        Assert.DoesNotContain(bad, ds.Files);
        Assert.Contains(log.Warnings, w => w.Contains(bad, StringComparison.Ordinal));

        // The same, decoded on demand (and with given statistics, so nothing is decoded while loading): the header
        // check up front keeps the file out.
        var lazy = ImageFolder.Load(dir.Path, new ImageFolderOptions
        {
            SkipInvalidImages = true, InMemoryLimitBytes = 0, Mean = [0.5f, 0.5f, 0.5f], Std = [0.2f, 0.2f, 0.2f],
        }, new ListLogger());
        Assert.Equal(ds.Files, lazy.Files);
    }

    [Fact]
    public void ACorruptImageBodyIsCaughtWhenDecodedEagerlyAndNamedAtBatchTimeWhenLazy()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 6, pngOnly: true);
        string bad = Path.Combine(dir.Path, "a", "img_004.png");
        Truncate(bad);

        // Eager: found while loading.
        var eager = Assert.Throws<DataFormatException>(() => ImageFolder.Load(dir.Path));
        Assert.Equal(bad, eager.FilePath);
        Assert.Contains("truncated", eager.Message);
        var skipped = ImageFolder.Load(dir.Path, new ImageFolderOptions { SkipInvalidImages = true }, new ListLogger());
        Assert.Equal(11, skipped.Count);
        Assert.DoesNotContain(bad, skipped.Files);

        // Lazy: the header is fine, so the file is listed; reading its batch names it, on the consumer's thread.
        var lazy = ImageFolder.Load(dir.Path, new ImageFolderOptions { InMemoryLimitBytes = 0, Mean = [0.5f, 0.5f, 0.5f], Std = [0.2f, 0.2f, 0.2f] });
        Assert.Contains(bad, lazy.Files);
        var loader = new BatchLoader(lazy, new BatchLoaderOptions { BatchSize = 2, Shuffle = false });
        int badBatch = lazy.Files.ToList().IndexOf(bad) / 2;
        int yielded = 0;
        var thrown = Assert.Throws<DataFormatException>(() =>
        {
            foreach (Batch batch in loader.GetEpoch(0))
            {
                batch.Dispose();
                yielded++;
            }
        });
        Assert.Equal(bad, thrown.FilePath);
        Assert.Equal(badBatch, yielded);
        var direct = Assert.Throws<DataFormatException>(() => loader.GetBatch(0, badBatch));
        Assert.Equal(bad, direct.FilePath);
    }

    [Fact]
    public void AFileThatDisappearsAfterListingIsNamed()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 2, pngOnly: true);
        var lazy = ImageFolder.Load(dir.Path, new ImageFolderOptions { InMemoryLimitBytes = 0 });
        File.Delete(lazy.Files[1]);
        var e = Assert.Throws<FileNotFoundException>(() => lazy.GetImage(1));
        Assert.Contains(lazy.Files[1], e.Message);
    }

    [Fact]
    public void MixedSizesWithoutATargetSizeNameTwoFilesAndTheirSizes()
    {
        using var dir = new TempDirectory();
        string small = TestImages.WritePng(Path.Combine(dir.Path, "a", "small.png"), TestImages.Solid(8, 6, Red), 8, 6);
        string large = TestImages.WriteJpeg(Path.Combine(dir.Path, "b", "large.jpg"), TestImages.Solid(10, 12, Red), 10, 12);
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = null }));
        Assert.Contains($"'{small}' is 8x6", e.Message);
        Assert.Contains($"'{large}' is 10x12", e.Message);
        Assert.Contains("ImageSize", e.Message);

        // With a target size they are resized.
        var ds = ImageFolder.Load(dir.Path, new ImageFolderOptions { ImageSize = 7 });
        Assert.Equal((2, 7, 7), (ds.Count, ds.Height, ds.Width));

        // Training and test folders must agree too.
        using var split = new TempDirectory();
        TestImages.WriteFolder(Path.Combine(split.Path, "train"), ["a", "b"], perClass: 1, size: 8);
        TestImages.WriteFolder(Path.Combine(split.Path, "test"), ["a", "b"], perClass: 1, size: 6);
        var pair = Assert.Throws<DataFormatException>(() => ImageFolder.LoadTrainTest(split.Path, new ImageFolderOptions { ImageSize = null }));
        Assert.Contains("training and test images have different sizes", pair.Message);
        Assert.Contains("is 8x8", pair.Message);
        Assert.Contains("is 6x6", pair.Message);
    }

    [Fact]
    public void OneClassNoImagesLooseImagesAndOtherLayoutsAreExplained()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(Path.Combine(dir.Path, "one"), ["only"], perClass: 2);
        var one = Assert.Throws<DataFormatException>(() => ImageFolder.Load(Path.Combine(dir.Path, "one")));
        Assert.Contains("only one class ('only')", one.Message);

        string none = Path.Combine(dir.Path, "none");
        Directory.CreateDirectory(Path.Combine(none, "a"));
        Directory.CreateDirectory(Path.Combine(none, "b"));
        File.WriteAllText(Path.Combine(none, "a", "x.gif"), "GIF89a");
        var noImages = Assert.Throws<DataFormatException>(() => ImageFolder.Load(none));
        Assert.Contains("hold no image files (.png, .jpg, .jpeg, .bmp)", noImages.Message);
        Assert.Contains("1 files with other extensions were ignored", noImages.Message);

        string loose = Path.Combine(dir.Path, "loose");
        TestImages.WritePng(Path.Combine(loose, "x.png"), TestImages.Solid(4, 4, Red), 4, 4);
        var flat = Assert.Throws<DataFormatException>(() => ImageFolder.Load(loose));
        Assert.Contains("lie directly in it", flat.Message);
        Assert.Contains("one subfolder per class", flat.Message);

        string nested = Path.Combine(dir.Path, "nested");
        TestImages.WriteFolder(nested, ["a"], perClass: 1);
        TestImages.WriteFolder(Path.Combine(nested, "b"), ["deeper"], perClass: 1);
        var deep = Assert.Throws<DataFormatException>(() => ImageFolder.Load(nested));
        Assert.Contains(Path.Combine(nested, "b"), deep.Message);
        Assert.Contains("images in its subfolders are not read", deep.Message);

        string split = Path.Combine(dir.Path, "split");
        TestImages.WriteFolder(Path.Combine(split, "train"), ["a", "b"], perClass: 1);
        TestImages.WriteFolder(Path.Combine(split, "test"), ["a", "b"], perClass: 1);
        var layout = Assert.Throws<DataFormatException>(() => ImageFolder.Load(split));
        Assert.Contains("ImageDataset.LoadImageFolderTrainTest", layout.Message);

        string cifar = Path.Combine(dir.Path, "cifar-10-batches-py");
        Directory.CreateDirectory(cifar);
        File.WriteAllBytes(Path.Combine(cifar, "data_batch_1"), [0x80, 2]);
        var notImages = Assert.Throws<DataFormatException>(() => ImageFolder.Load(cifar));
        Assert.Contains("Python (pickled) CIFAR-10", notImages.Message);
        Assert.Contains("ImageDataset.LoadCifar10", notImages.Message);
    }

    [Fact]
    public async Task ATruncatedJpegHeaderIsRejectedRatherThanHangingTheDecoder()
    {
        // StbImageSharp loops forever on a JPEG whose first segment runs past the end of the file; the structure check
        // must reject it before the decoder sees it, both up front and when decoding on demand.
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 2, pngOnly: true);
        byte[] jpeg = File.ReadAllBytes(TestImages.WriteJpeg(Path.Combine(dir.Path, "scratch.jpg"), TestImages.Solid(8, 8, Red), 8, 8));
        File.Delete(Path.Combine(dir.Path, "scratch.jpg"));
        string bad = Path.Combine(dir.Path, "a", "cut.jpg");
        File.WriteAllBytes(bad, jpeg[..10]);
        string cutBody = Path.Combine(dir.Path, "b", "cut-body.jpg");
        File.WriteAllBytes(cutBody, jpeg[..^3]); // inside the entropy-coded data: the decoder alone would make up the rest

        // WaitAsync throws a TimeoutException if the decoder hangs.
        Exception? loading = await Task.Run(() => Record.Exception(() => ImageFolder.Load(dir.Path))).WaitAsync(TimeSpan.FromSeconds(60));
        var e = Assert.IsType<DataFormatException>(loading);
        Assert.Equal(bad, e.FilePath);
        Assert.Contains("truncated", e.Message);

        File.Delete(bad);
        var lazy = ImageFolder.Load(dir.Path, new ImageFolderOptions { InMemoryLimitBytes = 0, Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] });
        int index = lazy.Files.ToList().IndexOf(cutBody);
        Exception? decoding = await Task.Run(() => Record.Exception(() => lazy.GetImage(index).ToArray())).WaitAsync(TimeSpan.FromSeconds(60));
        var body = Assert.IsType<DataFormatException>(decoding);
        Assert.Equal(cutBody, body.FilePath);
        Assert.Contains("end-of-image marker", body.Message);
    }

    [Fact]
    public void AnImageAboveThePixelLimitIsRefused()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 2, size: 12, pngOnly: true);
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(dir.Path, new ImageFolderOptions { MaxSourcePixels = 100 }));
        Assert.Contains("144 pixels", e.Message);
        Assert.Contains("MaxSourcePixels", e.Message);
    }

    private static readonly (byte, byte, byte) Red = (255, 0, 0);
}
