using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// Sums of loss and correct predictions kept on the device, so that a training step needs no host sync;
/// read (one sync) only when a report is due.
/// </summary>
internal sealed class RunningMetrics : IDisposable
{
    private Tensor _loss;
    private Tensor _correct;

    public RunningMetrics(Device device)
    {
        _loss = zeros(1, dtype: float64, device: device).DetachFromDisposeScope();
        _correct = zeros(1, dtype: int64, device: device).DetachFromDisposeScope();
    }

    public long Samples { get; private set; }

    /// <summary>Adds a batch: its mean loss (a scalar tensor) and its logits against the labels.</summary>
    public void Add(Tensor meanLoss, Tensor logits, Tensor labels)
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            long n = labels.shape[0];
            _loss.add_(meanLoss.detach().to(float64) * n);
            _correct.add_(logits.argmax(1).eq(labels).sum());
            Samples += n;
        }
    }

    public double MeanLoss => Samples == 0 ? double.NaN : _loss.item<double>() / Samples;

    public double Accuracy => Samples == 0 ? double.NaN : (double)_correct.item<long>() / Samples;

    public void Dispose()
    {
        _loss.Dispose();
        _correct.Dispose();
    }
}
