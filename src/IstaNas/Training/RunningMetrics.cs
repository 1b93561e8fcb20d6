using IstaNas.Networks;
using static TorchSharp.torch;

namespace IstaNas.Training;

/// <summary>
/// Sums of loss and correct top-1 (and, when asked, top-5) predictions kept on the device, so that a training step
/// needs no host sync; read (one sync) only when a report is due. Used by the search strategies and the evaluation
/// trainer.
/// </summary>
internal sealed class RunningMetrics : IDisposable
{
    private readonly Tensor _loss;
    private readonly Tensor _correct;
    private readonly Tensor _top5;

    public RunningMetrics(Device device, MetricsSnapshot? start = null)
    {
        _loss = tensor(new[] { start?.LossSum ?? 0.0 }, dtype: float64, device: device).DetachFromDisposeScope();
        _correct = tensor(new[] { start?.Correct ?? 0L }, dtype: int64, device: device).DetachFromDisposeScope();
        _top5 = tensor(new[] { start?.Top5 ?? 0L }, dtype: int64, device: device).DetachFromDisposeScope();
        Samples = start?.Samples ?? 0;
    }

    /// <summary>The sums so far (one host sync), to continue them after a resume.</summary>
    public MetricsSnapshot Snapshot() => new(_loss.item<double>(), _correct.item<long>(), Samples, _top5.item<long>());

    public long Samples { get; private set; }

    /// <summary>Adds a batch: its mean loss (a scalar tensor) and its logits against the labels.</summary>
    public void Add(Tensor meanLoss, Tensor logits, Tensor labels, bool topFive = false)
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            long n = labels.shape[0];
            using TorchSharp.Scalar count = n; // kept alive through the native calls (KeptScalars)
            _loss.add_(meanLoss.detach().to(float64).mul(count), KeptScalars.One);
            _correct.add_(logits.argmax(1).eq(labels).sum(), KeptScalars.One);
            if (topFive)
            {
                int k = (int)Math.Min(5, logits.shape[1]);
                _top5.add_(logits.topk(k, 1).indexes.eq(labels.unsqueeze(1)).any(1).sum(), KeptScalars.One);
            }
            Samples += n;
        }
    }

    public double MeanLoss => Samples == 0 ? double.NaN : _loss.item<double>() / Samples;

    public double Accuracy => Samples == 0 ? double.NaN : (double)_correct.item<long>() / Samples;

    /// <summary>Top-5 accuracy of the batches added with <c>topFive</c>.</summary>
    public double Top5 => Samples == 0 ? double.NaN : (double)_top5.item<long>() / Samples;

    public void Dispose()
    {
        _loss.Dispose();
        _correct.Dispose();
        _top5.Dispose();
    }
}

/// <summary>Sums of a <see cref="RunningMetrics"/>, as stored in a checkpoint taken in the middle of an epoch.</summary>
/// <param name="LossSum">Sum of per-sample losses.</param>
/// <param name="Correct">Correct top-1 predictions.</param>
/// <param name="Samples">Samples seen.</param>
/// <param name="Top5">Correct top-5 predictions (when counted).</param>
internal sealed record MetricsSnapshot(double LossSum, long Correct, long Samples, long Top5 = 0);
