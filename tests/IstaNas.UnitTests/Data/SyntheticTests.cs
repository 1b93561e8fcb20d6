using System.Diagnostics;
using IstaNas.Data;
using Xunit.Abstractions;

namespace IstaNas.Tests.Data;

public class SyntheticTests(ITestOutputHelper output)
{
    [Fact]
    public void SameSeedGivesIdenticalBytesAndDifferentSeedDiffers()
    {
        var a = Synthetic.Create(200, seed: 7);
        var b = Synthetic.Create(200, seed: 7);
        var c = Synthetic.Create(200, seed: 8);
        Assert.True(a.Pixels.SequenceEqual(b.Pixels));
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Mean, b.Mean);
        Assert.False(a.Pixels.SequenceEqual(c.Pixels));
        // Every single image differs between seeds, not just a few bytes.
        for (int i = 0; i < a.Count; i++)
        {
            Assert.False(a.GetImage(i).SequenceEqual(c.GetImage(i)), $"image {i} identical across seeds");
        }
    }

    [Fact]
    public void ClassesAreBalancedAndShapeMatchesOptions()
    {
        var ds = Synthetic.Create(103, seed: 1, new SyntheticOptions { ClassCount = 5, ImageSize = 20, Channels = 1 });
        Assert.Equal((103, 1, 20, 20, 5), (ds.Count, ds.Channels, ds.Height, ds.Width, ds.ClassCount));
        var counts = ds.Labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, counts.Count);
        Assert.True(counts.Values.Max() - counts.Values.Min() <= 1);

        var rgb = Synthetic.Create(1000, seed: 1);
        Assert.Equal((3, 32, 32, 10), (rgb.Channels, rgb.Height, rgb.Width, rgb.ClassCount));
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(100, rgb.Labels.Count(l => l == k)));
    }

    [Fact]
    public void MeanAndStdAreComputedFromPixels()
    {
        var ds = Synthetic.Create(50, seed: 3);
        for (int c = 0; c < 3; c++)
        {
            var values = new List<double>();
            for (int n = 0; n < ds.Count; n++)
            {
                var plane = ds.GetImage(n).Slice(c * 1024, 1024);
                foreach (byte v in plane)
                {
                    values.Add(v / 255.0);
                }
            }

            double mean = values.Average();
            double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal(mean, ds.Mean[c], 4);
            Assert.Equal(std, ds.Std[c], 4);
            Assert.InRange(ds.Std[c], 0.1, 0.5);
        }
    }

    [Theory]
    [InlineData(3, 0.6)]
    [InlineData(1, 0.2)]
    public void NearestClassMeanBeatsChanceOnHeldOutData(int channels, double minimumAccuracy)
    {
        var options = new SyntheticOptions { Channels = channels };
        var train = Synthetic.Create(2000, seed: 11, options);
        var test = Synthetic.Create(500, seed: 12, options);
        int d = train.ImageSize;
        var means = new double[10, d];
        var counts = new int[10];
        for (int n = 0; n < train.Count; n++)
        {
            int label = train.Labels[n];
            counts[label]++;
            var img = train.GetImage(n);
            for (int j = 0; j < d; j++)
            {
                means[label, j] += img[j];
            }
        }

        for (int k = 0; k < 10; k++)
        {
            for (int j = 0; j < d; j++)
            {
                means[k, j] /= counts[k];
            }
        }

        int correct = 0;
        for (int n = 0; n < test.Count; n++)
        {
            var img = test.GetImage(n);
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int k = 0; k < 10; k++)
            {
                double dist = 0;
                for (int j = 0; j < d; j++)
                {
                    double diff = img[j] - means[k, j];
                    dist += diff * diff;
                }

                if (dist < bestDistance)
                {
                    bestDistance = dist;
                    best = k;
                }
            }

            correct += best == test.Labels[n] ? 1 : 0;
        }

        double accuracy = correct / (double)test.Count;
        output.WriteLine($"channels {channels}: nearest-class-mean accuracy {accuracy:P1} (chance 10%)");
        Assert.True(accuracy >= minimumAccuracy, $"accuracy {accuracy:P1} below {minimumAccuracy:P0}");
    }

    [Fact]
    public void TenThousandImagesGenerateQuickly()
    {
        // CPU time, not wall-clock time: a loaded machine (other processes, a CI runner) stretches the latter, not the former.
        TimeSpan cpu = CpuTime();
        var sw = Stopwatch.StartNew();
        var ds = Synthetic.Create(10_000, seed: 5);
        sw.Stop();
        cpu = CpuTime() - cpu;
        output.WriteLine($"10,000 synthetic 3x32x32 images in {sw.ElapsedMilliseconds} ms ({cpu.TotalMilliseconds:0} ms CPU)");
        Assert.Equal(10_000, ds.Count);
        Assert.True(cpu < TimeSpan.FromSeconds(10), $"generation took {cpu} of CPU time");
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Create(0, 1));
        // Each message names the public argument and its value.
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.CreateSynthetic(10, 1, channels: 2)).ParamName);
        Assert.Equal("classCount", Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.CreateSynthetic(10, 1, classCount: 1)).ParamName);
        Assert.Equal("imageSize", Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.CreateSynthetic(10, 1, imageSize: 4)).ParamName);
        var noise = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.CreateSynthetic(10, 1, noiseStd: double.NaN));
        Assert.Equal("noiseStd", noise.ParamName);
        Assert.Contains("NaN", noise.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePublicFactoryKeepsTheDefaultsOfWhatItIsNotGiven()
    {
        ImageDataset viaFactory = ImageDataset.CreateSynthetic(20, 3, imageSize: 16, name: "mine");
        ImageDataset viaOptions = Synthetic.Create(20, 3, new SyntheticOptions { ImageSize = 16, Name = "mine" });
        Assert.Equal("mine", viaFactory.Name);
        Assert.Equal((10, 3, 16), (viaFactory.ClassCount, viaFactory.Channels, viaFactory.Height));
        using var a = viaOptions.ToTensor();
        using var b = viaFactory.ToTensor();
        Assert.True(a.eq(b).all().item<bool>());
        Assert.Equal(viaOptions.Labels, viaFactory.Labels);
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
