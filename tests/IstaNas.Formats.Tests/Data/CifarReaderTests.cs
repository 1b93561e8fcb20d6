using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

public class CifarReaderTests
{
    private static void WriteCifar10(TempDirectory dir, int perBatch = 2, int test = 3)
    {
        for (int b = 0; b < 5; b++)
        {
            var labels = Enumerable.Range(0, perBatch).Select(i => new[] { (byte)((b * perBatch + i) % 10) }).ToArray();
            dir.WriteCifar($"data_batch_{b + 1}.bin", labels, firstRecord: b * perBatch);
        }

        dir.WriteCifar("test_batch.bin", Enumerable.Range(0, test).Select(i => new[] { (byte)(9 - i) }).ToArray());
    }

    [Fact]
    public void Cifar10TrainConcatenatesBatchesWithPlanarRgbLayout()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        var ds = Cifar10.LoadTrain(dir.Path);

        Assert.Equal(10, ds.Count);
        Assert.Equal((3, 32, 32), (ds.Channels, ds.Height, ds.Width));
        Assert.Equal(10, ds.ClassCount);
        Assert.Equal(Enumerable.Range(0, 10), ds.Labels);
        Assert.Equal([0.4914f, 0.4822f, 0.4465f], ds.Mean);
        Assert.Equal([0.2470f, 0.2435f, 0.2616f], ds.Std);
        for (int n = 0; n < ds.Count; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int r = 0; r < 32; r += 5)
                {
                    for (int col = 0; col < 32; col += 3)
                    {
                        Assert.Equal(TempDirectory.PixelValue(n, c, r, col), ds.GetPixel(n, c, r, col));
                    }
                }
            }
        }

        // The tensor view has the same [N, C, H, W] mapping: image 7, green, row 5, column 30.
        using var t = ds.ToTensor();
        Assert.Equal(new long[] { 10, 3, 32, 32 }, t.shape);
        Assert.Equal(TempDirectory.PixelValue(7, 1, 5, 30), t[7, 1, 5, 30].item<byte>());
    }

    [Fact]
    public void Cifar10TestReadsTestBatch()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        var ds = ImageDataset.LoadCifar10(dir.Path, train: false);
        Assert.Equal(3, ds.Count);
        Assert.Equal([9, 8, 7], ds.Labels);
        Assert.Equal(TempDirectory.PixelValue(2, 2, 31, 31), ds.GetPixel(2, 2, 31, 31));
        Assert.Equal("cifar10-test", ds.Name);
    }

    [Fact]
    public void Cifar10MissingDirectoryAndFileAreNamed()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("nope");
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => Cifar10.LoadTrain(missing));
        Assert.Contains(missing, e1.Message);

        WriteCifar10(dir);
        File.Delete(dir.File("data_batch_3.bin"));
        var e2 = Assert.Throws<FileNotFoundException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("data_batch_3.bin", e2.Message);
        Assert.Equal(dir.File("data_batch_3.bin"), e2.FileName);
    }

    [Fact]
    public void Cifar10TruncatedFileIsRejected()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        string path = dir.File("test_batch.bin");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);
        var e = Assert.Throws<DataFormatException>(() => Cifar10.LoadTest(dir.Path));
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("3073", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Cifar10LabelAboveNineIsRejected()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        dir.WriteCifar("data_batch_4.bin", [[3], [10]]);
        var e = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("data_batch_4.bin", e.Message);
        Assert.Contains("record 1", e.Message);
        Assert.Contains("label 10", e.Message);
    }

    [Fact]
    public void Cifar10EmptyFileIsRejected()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        File.WriteAllBytes(dir.File("data_batch_2.bin"), []);
        var e = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("data_batch_2.bin", e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Cifar100UsesFineLabelsByDefaultAndCoarseOnRequest()
    {
        using var dir = new TempDirectory();
        dir.WriteCifar("train.bin", [[19, 99], [0, 42], [7, 0]]);
        dir.WriteCifar("test.bin", [[1, 2]]);

        var fine = ImageDataset.LoadCifar100(dir.Path);
        Assert.Equal(100, fine.ClassCount);
        Assert.Equal([99, 42, 0], fine.Labels);
        Assert.Equal(TempDirectory.PixelValue(1, 0, 0, 1), fine.GetPixel(1, 0, 0, 1));
        Assert.Equal(TempDirectory.PixelValue(2, 2, 17, 4), fine.GetPixel(2, 2, 17, 4));
        Assert.Equal([0.5071f, 0.4865f, 0.4409f], fine.Mean);
        Assert.Equal([0.2673f, 0.2564f, 0.2762f], fine.Std);

        var coarse = ImageDataset.LoadCifar100(dir.Path, coarseLabels: true);
        Assert.Equal(20, coarse.ClassCount);
        Assert.Equal([19, 0, 7], coarse.Labels);

        var test = ImageDataset.LoadCifar100(dir.Path, train: false);
        Assert.Equal([2], test.Labels);
        Assert.Equal([1], ImageDataset.LoadCifar100(dir.Path, train: false, coarseLabels: true).Labels);
    }

    [Fact]
    public void Cifar100LabelsOutOfRangeAreRejected()
    {
        using var dir = new TempDirectory();
        dir.WriteCifar("train.bin", [[1, 100]]);
        var fine = Assert.Throws<DataFormatException>(() => Cifar100.LoadTrain(dir.Path));
        Assert.Contains("train.bin", fine.Message);
        Assert.Contains("fine label 100", fine.Message);

        dir.WriteCifar("train.bin", [[3, 5], [20, 5]]);
        var coarse = Assert.Throws<DataFormatException>(() => Cifar100.LoadTrain(dir.Path, Cifar100LabelKind.Coarse));
        Assert.Contains("coarse label 20", coarse.Message);
        Assert.Contains("record 1", coarse.Message);
    }

    [Fact]
    public void Cifar100TruncatedEmptyAndMissingAreRejected()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<FileNotFoundException>(() => Cifar100.LoadTest(dir.Path));
        Assert.Contains("test.bin", missing.Message);

        File.WriteAllBytes(dir.File("test.bin"), []);
        Assert.Contains("empty", Assert.Throws<DataFormatException>(() => Cifar100.LoadTest(dir.Path)).Message);

        // A CIFAR-10-sized record (3073 bytes) is not a whole CIFAR-100 record (3074).
        dir.WriteCifar("test.bin", [[1]]);
        var e = Assert.Throws<DataFormatException>(() => Cifar100.LoadTest(dir.Path));
        Assert.Contains("test.bin", e.Message);
        Assert.Contains("3074", e.Message);
    }
}
