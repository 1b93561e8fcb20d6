using System.Runtime.ExceptionServices;

namespace IstaNas.Data;

/// <summary>
/// Reads the batches [first, end) of an epoch ahead of the consumer: at most <c>depth</c> batches are being read or
/// waiting at any time, read one after another (each on up to the loader's decode threads), so memory stays bounded
/// by <c>depth</c> batches of bytes. <see cref="Take"/> returns them strictly in order and rethrows, on the calling
/// thread, the exception that reading a batch threw (a <see cref="DataFormatException"/> names the file).
/// <see cref="Dispose"/> cancels what has not started and waits for what has, so no work outlives the prefetcher.
/// Holds byte arrays only: tensors are made by the consumer, on its own thread.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly Func<int, CancellationToken, RawBatch> _read;
    private readonly Queue<(int Batch, Task<RawBatch> Task)> _pending = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly int _end;
    private readonly int _depth;
    private Task _tail = Task.CompletedTask;
    private int _next;
    private bool _disposed;

    public BatchPrefetcher(Func<int, CancellationToken, RawBatch> read, int first, int end, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _read = read;
        _next = first;
        _end = end;
        _depth = depth;
        Fill();
    }

    /// <summary>Batches being read or read and not yet taken.</summary>
    public int Pending => _pending.Count;

    /// <summary>Returns batch <paramref name="batch"/>, which must be the next in order, waiting for it if needed.</summary>
    public RawBatch Take(int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Fill();
        if (_pending.Count == 0 || _pending.Peek().Batch != batch)
        {
            throw new InvalidOperationException($"Batch {batch} was asked for out of order.");
        }

        var (_, task) = _pending.Dequeue();
        Fill();
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cancel.Cancel();
        foreach (var (_, task) in _pending)
        {
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
                // Cancelled, or failed while no one was going to take it.
            }
        }

        _pending.Clear();
        _cancel.Dispose();
    }

    private void Fill()
    {
        CancellationToken token = _cancel.Token;
        while (_pending.Count < _depth && _next < _end)
        {
            int batch = _next++;
            // Chained so that batches are read one after another (each in parallel inside); LazyCancellation keeps a
            // cancelled batch from completing before the one it follows, so waiting on the queue waits for all work.
            Task<RawBatch> task = _tail.ContinueWith(_ => _read(batch, token), token,
                TaskContinuationOptions.LazyCancellation | TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
            _tail = task;
            _pending.Enqueue((batch, task));
        }
    }
}

/// <summary>The bytes and labels of one batch, read but not yet turned into tensors.</summary>
/// <param name="Samples">Data set indices of the samples.</param>
/// <param name="Pixels">Their images, [B, C, H, W] bytes.</param>
/// <param name="Labels">Their labels.</param>
/// <summary>One batch read into memory: sample indices, their pixels (images) or float32 values (tensor sets), labels.</summary>
internal sealed record RawBatch(int[] Samples, byte[]? Pixels, long[] Labels)
{
    /// <summary>The float32 values of a tensor set's batch, [B, …sample shape] in row-major order.</summary>
    public float[]? Values { get; init; }
}
