using IstaNas.Data;

namespace IstaNas.Tests.Data;

public class ImageDatasetTests
{
    private static ImageDataset Numbered(int count)
    {
        var pixels = new byte[count * 2 * 2 * 2];
        for (int i = 0; i < count; i++)
        {
            pixels.AsSpan(i * 8, 8).Fill((byte)i);
        }

        var labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        return ImageDataset.FromPixels("numbered", pixels, labels, 2, 2, 2, 3, [0.5f, 0.5f], [0.25f, 0.25f]);
    }

    [Fact]
    public void SplitByPortionTakesFirstAndSecondPart()
    {
        var ds = Numbered(11);
        var (first, second) = ds.Split(0.5);
        Assert.Equal(5, first.Count);
        Assert.Equal(6, second.Count);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (byte)i), Enumerable.Range(0, 5).Select(i => first.GetPixel(i, 1, 1, 1)));
        Assert.Equal(Enumerable.Range(5, 6).Select(i => (byte)i), Enumerable.Range(0, 6).Select(i => second.GetPixel(i, 0, 0, 0)));
        Assert.Equal(Enumerable.Range(5, 6).Select(i => i % 3), second.Labels);
        Assert.Equal(ds.Mean, second.Mean);
        Assert.Equal(ds.ClassCount, first.ClassCount);

        var (all, none) = ds.Split(1.0);
        Assert.Equal((11, 0), (all.Count, none.Count));
        var (quarter, rest) = ds.Split(0.25);
        Assert.Equal((2, 9), (quarter.Count, rest.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Split(1.5));
    }

    [Fact]
    public void SeededSplitIsAReproducibleShuffledPartition()
    {
        var ds = Numbered(40);
        var (a1, b1) = ds.Split(0.5, seed: 3);
        var (a2, _) = ds.Split(0.5, seed: 3);
        var (a3, _) = ds.Split(0.5, seed: 4);
        byte Id(ImageDataset d, int i) => d.GetPixel(i, 0, 0, 0);
        var ids1 = Enumerable.Range(0, 20).Select(i => Id(a1, i)).ToArray();
        Assert.Equal(ids1, Enumerable.Range(0, 20).Select(i => Id(a2, i)));
        Assert.NotEqual(ids1, Enumerable.Range(0, 20).Select(i => Id(a3, i)));
        Assert.NotEqual(Enumerable.Range(0, 20).Select(i => (byte)i), ids1);
        var union = ids1.Concat(Enumerable.Range(0, 20).Select(i => Id(b1, i))).Order();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)i), union);
    }

    [Fact]
    public void SubsetHoldsChosenImagesInOrder()
    {
        var ds = Numbered(6);
        var sub = ds.Subset([4, 1, 4]);
        Assert.Equal(3, sub.Count);
        Assert.Equal([4, 1, 4], Enumerable.Range(0, 3).Select(i => (int)sub.GetPixel(i, 1, 0, 1)));
        Assert.Equal([1, 1, 1], sub.Labels);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Subset([6]));
    }

    [Fact]
    public void ConstructorValidatesShapeLabelsAndStatistics()
    {
        Assert.Throws<ArgumentException>(() => ImageDataset.FromPixels("x", new byte[7], [0], 2, 2, 2, 3, [0f, 0f], [1f, 1f]));
        Assert.Throws<ArgumentException>(() => ImageDataset.FromPixels("x", new byte[8], [3], 2, 2, 2, 3, [0f, 0f], [1f, 1f]));
        Assert.Throws<ArgumentException>(() => ImageDataset.FromPixels("x", new byte[8], [0], 2, 2, 2, 3, [0f], [1f]));
        Assert.Throws<ArgumentException>(() => ImageDataset.FromPixels("x", new byte[8], [0], 2, 2, 2, 3, [0f, 0f], [1f, 0f]));
    }

    [Fact]
    public void ChannelStatisticsArePopulationMeanAndStdOfUnitPixels()
    {
        // Channel 0 values {0, 255} -> mean 0.5, std 0.5; channel 1 constant 51 -> mean 0.2, std replaced by 1.
        byte[] pixels = [0, 255, 51, 51];
        var (mean, std) = ImageDataset.ComputeChannelStatistics(pixels, count: 1, channels: 2, planeSize: 2);
        Assert.Equal(0.5f, mean[0], 6);
        Assert.Equal(0.5f, std[0], 6);
        Assert.Equal(0.2f, mean[1], 6);
        Assert.Equal(1f, std[1]);
    }

    [Fact]
    public void ToTensorCopiesSoTheDatasetCannotBeMutated()
    {
        var ds = Numbered(3);
        using var all = ds.ToTensor();
        using var some = ds.ToTensor([2, 0]);
        Assert.Equal(new long[] { 2, 2, 2, 2 }, some.shape);
        Assert.Equal(2, some[0, 1, 1, 0].item<byte>());
        Assert.Equal(0, some[1, 0, 0, 0].item<byte>());
        all.fill_(200);
        some.fill_(200);
        Assert.Equal(1, ds.GetPixel(1, 1, 1, 1));
        Assert.Equal(2, ds.GetPixel(2, 0, 0, 0));
    }

    [Fact]
    public void DataFormatExceptionIsAnIOExceptionCarryingTheFile()
    {
        var e = new DataFormatException("/data/x.bin", "bad things");
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal("/data/x.bin", e.FilePath);
        Assert.Equal("bad things", e.Problem);
        Assert.Contains("/data/x.bin", e.Message);
    }
}
