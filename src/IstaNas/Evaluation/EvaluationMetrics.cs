using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>Device-side sums of loss, top-1 and top-5 hits; read (one sync) only when a report is due. Can be restored from a snapshot to resume mid-epoch.</summary>
internal sealed class EvaluationMetrics : IDisposable
{
    private readonly Tensor _loss;
    private readonly Tensor _top1;
    private readonly Tensor _top5;

    public EvaluationMetrics(Device device, EvaluationMetricsSnapshot? start = null)
    {
        _loss = tensor(start?.LossSum ?? 0.0, dtype: float64, device: device).DetachFromDisposeScope();
        _top1 = tensor(start?.Top1 ?? 0L, dtype: int64, device: device).DetachFromDisposeScope();
        _top5 = tensor(start?.Top5 ?? 0L, dtype: int64, device: device).DetachFromDisposeScope();
        Samples = start?.Samples ?? 0;
    }

    public long Samples { get; private set; }

    public void Add(Tensor meanLoss, Tensor logits, Tensor labels, bool topFive)
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            long n = labels.shape[0];
            _loss.add_(meanLoss.detach().to(float64) * n);
            _top1.add_(logits.argmax(1).eq(labels).sum());
            if (topFive)
            {
                int k = (int)Math.Min(5, logits.shape[1]);
                _top5.add_(logits.topk(k, 1).indexes.eq(labels.unsqueeze(1)).any(1).sum());
            }

            Samples += n;
        }
    }

    public double MeanLoss => Samples == 0 ? double.NaN : _loss.item<double>() / Samples;

    public double Accuracy => Samples == 0 ? double.NaN : (double)_top1.item<long>() / Samples;

    public double Top5 => Samples == 0 ? double.NaN : (double)_top5.item<long>() / Samples;

    public EvaluationMetricsSnapshot Snapshot() => new(_loss.item<double>(), _top1.item<long>(), _top5.item<long>(), Samples);

    public void Dispose()
    {
        _loss.Dispose();
        _top1.Dispose();
        _top5.Dispose();
    }
}

/// <summary>The sums of <see cref="EvaluationMetrics"/>, as stored in a checkpoint taken mid-epoch.</summary>
internal sealed record EvaluationMetricsSnapshot(double LossSum, long Top1, long Top5, long Samples);
