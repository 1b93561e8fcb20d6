using System.Diagnostics;
using IstaNas.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.Data;

public class BatchLoaderTests(ITestOutputHelper output)
{
    private static readonly ImageDataset Small = Synthetic.Create(50, seed: 4, new SyntheticOptions { ImageSize = 12 });

    private static List<int> CollectOrder(BatchLoader loader, int epoch)
    {
        var order = new List<int>();
        foreach (var batch in loader.GetEpoch(epoch))
        {
            using (batch)
            {
                order.AddRange(batch.SampleIndices);
            }
        }

        return order;
    }

    [Fact]
    public void EachEpochCoversEverySampleOnceAndOrderDependsOnSeedAndEpoch()
    {
        var loader = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 8, Seed = 3 });
        Assert.Equal(7, loader.BatchesPerEpoch);
        var e0 = CollectOrder(loader, 0);
        var e1 = CollectOrder(loader, 1);
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(Enumerable.Range(0, 50), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(Enumerable.Range(0, 50), e0);

        // Same seed and epoch: same order, even from a fresh loader and after other epochs were read.
        var fresh = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 8, Seed = 3 });
        Assert.Equal(e0, CollectOrder(fresh, 0));
        Assert.Equal(e1, CollectOrder(loader, 1));
        Assert.Equal(e0, loader.GetEpochOrder(0));

        var otherSeed = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 8, Seed = 4 });
        Assert.NotEqual(e0, CollectOrder(otherSeed, 0));

        var unshuffled = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 8, Shuffle = false });
        Assert.Equal(Enumerable.Range(0, 50), CollectOrder(unshuffled, 5));
    }

    [Fact]
    public void DropLastAndBatchSizes()
    {
        var keep = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 8 });
        var sizes = keep.GetEpoch(0).Select(b => { using (b) { return (int)b.Images.shape[0]; } }).ToList();
        Assert.Equal([8, 8, 8, 8, 8, 8, 2], sizes);

        var drop = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 8, DropLast = true });
        Assert.Equal(6, drop.BatchesPerEpoch);
        var dropped = CollectOrder(drop, 0);
        Assert.Equal(48, dropped.Count);
        Assert.Equal(48, dropped.Distinct().Count());
    }

    [Fact]
    public void BatchesHoldNormalisedImagesAndMatchingLabels()
    {
        var loader = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 16, Seed = 1 });
        using var batch = loader.GetBatch(epoch: 2, batchIndex: 1);
        Assert.Equal(float32, batch.Images.dtype);
        Assert.Equal(int64, batch.Labels.dtype);
        Assert.Equal(new long[] { 16, 3, 12, 12 }, batch.Images.shape);
        Assert.Equal(new long[] { 16 }, batch.Labels.shape);
        Assert.Equal(loader.GetEpochOrder(2)[16..32], batch.SampleIndices);
        Assert.Equal(batch.SampleIndices.Select(i => (long)Small.Labels[i]), batch.Labels.data<long>().ToArray());

        int sample = batch.SampleIndices[5];
        float expected = (Small.GetPixel(sample, 1, 7, 3) / 255f - Small.Mean[1]) / Small.Std[1];
        Assert.Equal(expected, batch.Images[5, 1, 7, 3].item<float>(), 5);
    }

    [Fact]
    public void AugmentedBatchesAreReproducibleAndResumable()
    {
        var options = new BatchLoaderOptions { BatchSize = 8, Seed = 9, Augmentation = AugmentationPipeline.Standard(cutoutLength: 4) };
        var a = new BatchLoader(Small, options);
        var b = new BatchLoader(Small, options);
        var full = a.GetEpoch(3).ToList();
        var resumed = b.GetEpoch(3, startBatch: 4).ToList();
        try
        {
            Assert.Equal(full.Count - 4, resumed.Count);
            for (int k = 0; k < resumed.Count; k++)
            {
                Assert.Equal(full[k + 4].SampleIndices, resumed[k].SampleIndices);
                Assert.True(TensorCompare.Same(full[k + 4].Images, resumed[k].Images));
            }

            // Augmentation is actually applied: the batch differs from the plain normalised images.
            var plain = new BatchLoader(Small, options with { Augmentation = null });
            using var p = plain.GetBatch(3, 0);
            Assert.Equal(full[0].SampleIndices, p.SampleIndices);
            Assert.False(TensorCompare.Same(p.Images, full[0].Images));
        }
        finally
        {
            full.ForEach(x => x.Dispose());
            resumed.ForEach(x => x.Dispose());
        }
    }

    [Fact]
    public void EnumeratingManyBatchesLeaksNoTensors()
    {
        var loader = new BatchLoader(Small, new BatchLoaderOptions { BatchSize = 4, Augmentation = AugmentationPipeline.Standard(8) });
        // Warm up once so lazily created globals do not count.
        using (loader.GetBatch(0, 0))
        {
        }

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        int batches = 0;
        for (int epoch = 0; epoch < 8; epoch++)
        {
            foreach (var batch in loader.GetEpoch(epoch))
            {
                using (batch)
                {
                    batches++;
                }
            }
        }

        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(8 * 13, batches);
        Assert.Equal(before, after);

        // The counter does see undisposed batches, so the equality above is meaningful.
        var leaked = loader.GetBatch(0, 1);
        Assert.Equal(before + 2, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        leaked.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void FullCifarSizedBatchesWithAugmentation()
    {
        var ds = Synthetic.Create(640, seed: 1);
        var loader = new BatchLoader(ds, new BatchLoaderOptions { BatchSize = 64, Augmentation = AugmentationPipeline.Standard(16) });
        loader.GetBatch(0, 0).Dispose();
        var sw = Stopwatch.StartNew();
        int n = 0;
        foreach (var batch in loader.GetEpoch(1))
        {
            using (batch)
            {
                Assert.Equal(new long[] { 64, 3, 32, 32 }, batch.Images.shape);
                Assert.Equal(new long[] { 64 }, batch.Labels.shape);
                n++;
            }
        }

        sw.Stop();
        output.WriteLine($"{n} batches of 64 (crop+flip+normalise+cutout) in {sw.ElapsedMilliseconds} ms = {n / sw.Elapsed.TotalSeconds:F0} batches/s");
        Assert.Equal(10, n);
    }
}
