using IstaNas.Data;
using IstaNas.Training;

namespace IstaNas.Strategies;

/// <summary>The steps of one epoch of a first-order bilevel search: a training and a validation batch per step.</summary>
internal sealed class BilevelEpoch : IEpochSteps
{
    private readonly IEnumerator<Batch> _train;
    private readonly IEnumerator<Batch> _valid;
    private readonly Action<Batch, Batch, RunningMetrics, RunningMetrics> _step;

    /// <summary>Opens both loaders at the same step.</summary>
    /// <param name="train">Batches that train W.</param>
    /// <param name="valid">Batches that train the architecture.</param>
    /// <param name="step">One step: (train batch, valid batch, train metrics, valid metrics).</param>
    public BilevelEpoch(IEnumerable<Batch> train, IEnumerable<Batch> valid, Action<Batch, Batch, RunningMetrics, RunningMetrics> step)
    {
        _train = train.GetEnumerator();
        _valid = valid.GetEnumerator();
        _step = step;
    }

    /// <inheritdoc />
    public void Step(RunningMetrics train, RunningMetrics valid)
    {
        if (!_train.MoveNext() || !_valid.MoveNext())
            throw new InvalidOperationException("A loader ran out of batches before the epoch's last step.");
        using Batch t = _train.Current;
        using Batch v = _valid.Current;
        _step(t, v, train, valid);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _train.Dispose();
        _valid.Dispose();
    }
}
