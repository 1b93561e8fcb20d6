using System.IO.Compression;
using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

/// <summary>IDX input that used to load as something else without a word: an outlying label, images of 0x0 pixels, gzip data past its header.</summary>
public class IdxSilentAnswerTests
{
    private static byte[] Labels(int count, byte outlier, int at)
    {
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % 10);
        labels[at] = outlier;
        return TempDirectory.IdxLabels(labels);
    }

    [Fact]
    public void ALabelOf255AmongZeroToNineIsRefusedNamingTheFileAndTheLabel()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(40, 4, 4));
        string labels = dir.WriteBytes("lbl", Labels(40, 255, 17));
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 17 is 255", e.Message);
        Assert.Contains("256 classes, of which only 11 have an image", e.Message);

        // Given as meant (a class count), it loads.
        Assert.Equal(256, Idx.Load(images, labels, new IdxLoadOptions { ClassCount = 256 }).ClassCount);
        // A label only a little above the rest is a class: 0..9 and one 12 make 13 classes.
        string near = dir.WriteBytes("lbl-near", Labels(40, 12, 17));
        Assert.Equal(13, Idx.Load(images, near).ClassCount);
    }

    [Theory]
    [InlineData(4, 0, 0, "0x0 pixels")]
    [InlineData(4, 0, 28, "0x28 pixels")]
    [InlineData(4, 28, 0, "28x0 pixels")]
    [InlineData(0, 28, 28, "declares 0 images")]
    public void ImagesOfNoPixelsOrNoImagesAreRefused(int count, int rows, int cols, string expected)
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(count, rows, cols));
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(new byte[count]));
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels, new IdxLoadOptions { PadTo = 32 }));
        Assert.Contains(images, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void GzipDataThatExpandsPastItsHeaderStopsThereNamingTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bomb-images.gz");
        byte[] header = TempDirectory.IdxImages(4, 5, 6)[..16];
        using (var file = File.Create(path))
        using (var z = new GZipStream(file, CompressionLevel.Fastest))
        {
            z.Write(header);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.Write(zeros); // 64 MiB where the header declares 120 bytes
        }

        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels([3, 0, 9, 5]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(path, labels));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(path, e.Message);
        Assert.Contains("gzip", e.Message);
        Assert.Contains("136 bytes its header declares", e.Message);
        Assert.True(allocated < 16 << 20, $"reading stopped at the declared size, not after {allocated} bytes");
    }
}
