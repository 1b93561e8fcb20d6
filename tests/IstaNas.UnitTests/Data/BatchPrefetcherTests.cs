using IstaNas.Data;

namespace IstaNas.Tests.Data;

/// <summary>The loader's read-ahead: in order, bounded, failures on the consumer's thread, nothing left running after disposal.</summary>
public class BatchPrefetcherTests
{
    private static RawBatch Raw(int k) => new([k], [(byte)k], [k]);

    [Fact]
    public void BatchesComeInOrderOneReadAtATimeAndAtMostDepthAhead()
    {
        int started = 0, active = 0, maxActive = 0;
        RawBatch Read(int k, CancellationToken token)
        {
            Interlocked.Increment(ref started);
            int now = Interlocked.Increment(ref active);
            InterlockedMax(ref maxActive, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref active);
            return Raw(k);
        }

        using (var prefetcher = new BatchPrefetcher(Read, first: 2, end: 12, depth: 3))
        {
            Assert.Equal(3, prefetcher.Pending);
            for (int k = 2; k < 12; k++)
            {
                Assert.Equal([k], prefetcher.Take(k).Samples);
                Assert.True(Volatile.Read(ref started) <= k + 1 + 3 - 2, $"read {started} batches after taking batch {k}");
            }

            Assert.Throws<InvalidOperationException>(() => prefetcher.Take(12));
        }

        Assert.Equal(10, started);
        Assert.Equal(1, maxActive);
    }

    [Fact]
    public void AFailureSurfacesFromTakeWithItsOwnTypeAndFile()
    {
        RawBatch Read(int k, CancellationToken token) =>
            k == 2 ? throw new DataFormatException("/images/cat/bad.png", "the PNG file is corrupt.") : Raw(k);

        using var prefetcher = new BatchPrefetcher(Read, 0, 5, depth: 2);
        Assert.Equal([0], prefetcher.Take(0).Samples);
        Assert.Equal([1], prefetcher.Take(1).Samples);
        var e = Assert.Throws<DataFormatException>(() => prefetcher.Take(2));
        Assert.Equal("/images/cat/bad.png", e.FilePath);
        Assert.Equal([3], prefetcher.Take(3).Samples);
    }

    [Fact]
    public void DisposeCancelsWhatHasNotStartedAndWaitsForWhatHas()
    {
        int started = 0, running = 0;
        using var inRead = new ManualResetEventSlim();
        RawBatch Read(int k, CancellationToken token)
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            try
            {
                inRead.Set();
                token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)); // a long decode that notices cancellation…
                Thread.Sleep(100); // …and takes a while to stop
                token.ThrowIfCancellationRequested();
                return Raw(k);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        var prefetcher = new BatchPrefetcher(Read, 0, 100, depth: 4);
        Assert.True(inRead.Wait(TimeSpan.FromSeconds(30)));
        prefetcher.Dispose();
        Assert.Equal(0, Volatile.Read(ref running));
        Thread.Sleep(50);
        Assert.Equal(1, Volatile.Read(ref started)); // the batches queued behind it never ran
        Assert.Throws<ObjectDisposedException>(() => prefetcher.Take(0));
    }

    [Fact]
    public void LoaderOptionsAreChecked()
    {
        var ds = Synthetic.Create(8, 1, new SyntheticOptions { ImageSize = 8 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(ds, new BatchLoaderOptions { PrefetchBatches = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(ds, new BatchLoaderOptions { DecodeThreads = 0 }));
        var loader = new BatchLoader(ds, new BatchLoaderOptions { BatchSize = 3, PrefetchBatches = 2, DecodeThreads = 2 });
        var plain = new BatchLoader(ds, new BatchLoaderOptions { BatchSize = 3 });
        Assert.Equal(0, plain.PrefetchBatches);
        Assert.Equal(1, plain.DecodeThreads);
        var a = loader.GetEpoch(4).ToList();
        var b = plain.GetEpoch(4).ToList();
        try
        {
            Assert.All(a.Zip(b), p => Assert.True(TensorCompare.Same(p.First.Images, p.Second.Images)));
        }
        finally
        {
            a.ForEach(x => x.Dispose());
            b.ForEach(x => x.Dispose());
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
