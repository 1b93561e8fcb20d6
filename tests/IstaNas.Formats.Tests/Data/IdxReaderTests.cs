using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

public class IdxReaderTests
{
    private static readonly byte[] FourLabels = [3, 0, 9, 5];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsGreyImagesPlainOrGzipped(bool gzip)
    {
        using var dir = new TempDirectory();
        string suffix = gzip ? ".gz" : string.Empty;
        string images = dir.WriteBytes("images-idx3-ubyte" + suffix, TempDirectory.IdxImages(4, 5, 6), gzip);
        string labels = dir.WriteBytes("labels-idx1-ubyte" + suffix, TempDirectory.IdxLabels(FourLabels), gzip);

        var ds = Idx.Load(images, labels);
        Assert.Equal(4, ds.Count);
        Assert.Equal((1, 5, 6), (ds.Channels, ds.Height, ds.Width));
        Assert.Equal(10, ds.ClassCount);
        Assert.Equal(new[] { 3, 0, 9, 5 }, ds.Labels);
        for (int n = 0; n < 4; n++)
        {
            for (int r = 0; r < 5; r++)
            {
                for (int c = 0; c < 6; c++)
                {
                    Assert.Equal(TempDirectory.PixelValue(n, 0, r, c), ds.GetPixel(n, 0, r, c));
                }
            }
        }

        // Mean and std are computed from the data (population statistics of pixel/255).
        var all = TempDirectory.IdxImages(4, 5, 6)[16..].Select(b => b / 255.0).ToArray();
        double mean = all.Average();
        double std = Math.Sqrt(all.Select(v => (v - mean) * (v - mean)).Average());
        Assert.Equal(mean, ds.Mean[0], 5);
        Assert.Equal(std, ds.Std[0], 5);
    }

    [Fact]
    public void BadChannelsAndTooSmallPaddingNameTheArgument()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(4, 5, 6));
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(FourLabels));

        var channels = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.LoadIdx(images, labels, channels: 2));
        Assert.Equal("channels", channels.ParamName);
        var pad = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.LoadIdx(images, labels, padTo: 5));
        Assert.Equal("padTo", pad.ParamName);
        Assert.Contains("5x6", pad.Message, StringComparison.Ordinal);
        Assert.Contains(images, pad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplicatesToThreeChannelsAndZeroPads()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(4, 5, 6));
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(FourLabels));

        var ds = ImageDataset.LoadIdx(images, labels, channels: 3, padTo: 10, classCount: 12, name: "tiny");
        Assert.Equal((3, 10, 10), (ds.Channels, ds.Height, ds.Width));
        Assert.Equal(12, ds.ClassCount);
        Assert.Equal("tiny", ds.Name);
        // 5 rows padded to 10: 2 above; 6 columns padded to 10: 2 left.
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(TempDirectory.PixelValue(2, 0, 0, 0), ds.GetPixel(2, c, 2, 2));
            Assert.Equal(TempDirectory.PixelValue(2, 0, 4, 5), ds.GetPixel(2, c, 6, 7));
            Assert.Equal(0, ds.GetPixel(2, c, 1, 5));
            Assert.Equal(0, ds.GetPixel(2, c, 7, 5));
            Assert.Equal(0, ds.GetPixel(2, c, 4, 1));
            Assert.Equal(0, ds.GetPixel(2, c, 4, 8));
        }

        int nonZeroOutside = 0;
        for (int r = 0; r < 10; r++)
        {
            for (int col = 0; col < 10; col++)
            {
                bool inside = r is >= 2 and < 7 && col is >= 2 and < 8;
                if (!inside && ds.GetPixel(0, 1, r, col) != 0)
                {
                    nonZeroOutside++;
                }
            }
        }

        Assert.Equal(0, nonZeroOutside);
        Assert.Equal(ds.Mean[0], ds.Mean[2]);
        Assert.Equal(ds.Std[0], ds.Std[1]);
    }

    [Fact]
    public void WrongMagicNamesExpectedAndActualInHex()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(4, 5, 6, magic: 0x00000801));
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(FourLabels));
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains("expected 0x00000803", e.Message);
        Assert.Contains("found 0x00000801", e.Message);

        string goodImages = dir.WriteBytes("img2", TempDirectory.IdxImages(4, 5, 6));
        string badLabels = dir.WriteBytes("lbl2.gz", TempDirectory.IdxLabels(FourLabels, magic: 0x12345678), gzip: true);
        var e2 = Assert.Throws<DataFormatException>(() => Idx.Load(goodImages, badLabels));
        Assert.Contains("lbl2.gz", e2.Message);
        Assert.Contains("expected 0x00000801", e2.Message);
        Assert.Contains("found 0x12345678", e2.Message);
    }

    [Fact]
    public void TruncatedImagesAndLabelsAreRejected()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(4, 5, 6)[..^7]);
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(FourLabels));
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("4 images of 5x6", e.Message);

        string goodImages = dir.WriteBytes("img2", TempDirectory.IdxImages(4, 5, 6));
        string shortLabels = dir.WriteBytes("lbl2", TempDirectory.IdxLabels(FourLabels)[..^1]);
        var e2 = Assert.Throws<DataFormatException>(() => Idx.Load(goodImages, shortLabels));
        Assert.Contains("lbl2", e2.Message);
        Assert.Contains("truncated", e2.Message);

        string headerOnly = dir.WriteBytes("img3", TempDirectory.IdxImages(4, 5, 6)[..10]);
        var e3 = Assert.Throws<DataFormatException>(() => Idx.Load(headerOnly, labels));
        Assert.Contains("img3", e3.Message);
        Assert.Contains("header", e3.Message);
    }

    [Fact]
    public void LabelCountMismatchIsRejected()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(4, 5, 6));
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels([1, 2, 3]));
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("3 labels", e.Message);
        Assert.Contains("4 images", e.Message);
    }

    [Fact]
    public void LabelOutOfConfiguredRangeIsRejected()
    {
        using var dir = new TempDirectory();
        string images = dir.WriteBytes("img", TempDirectory.IdxImages(4, 5, 6));
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(FourLabels));
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels, new IdxLoadOptions { ClassCount = 9 }));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 2 is 9", e.Message);
    }

    [Fact]
    public void EmptyAndMissingFilesAreRejected()
    {
        using var dir = new TempDirectory();
        string labels = dir.WriteBytes("lbl", TempDirectory.IdxLabels(FourLabels));
        string empty = dir.WriteBytes("empty-images", []);
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(empty, labels));
        Assert.Contains("empty-images", e.Message);
        Assert.Contains("empty", e.Problem);

        string missing = dir.File("train-images-idx3-ubyte.gz");
        var e2 = Assert.Throws<FileNotFoundException>(() => Idx.Load(missing, labels));
        Assert.Contains(missing, e2.Message);
    }
}
