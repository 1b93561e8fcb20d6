using IstaNas.Data;
using BatchLoader = IstaNas.Data.BatchLoader;

namespace IstaNas.Strategies;

/// <summary>
/// The ranking that ends random search with weight sharing (<see cref="RandomRun"/>): the batches a candidate's score
/// recalibrates its BN statistics on and is measured on, and the pass over the drawn candidates that keeps the best.
/// </summary>
internal sealed class CandidateRanking(BatchLoader calibration, BatchLoader validation, RandomOptions o, CancellationToken cancellation)
{
    /// <summary>The training batches a score recalibrates the BN statistics on.</summary>
    public IEnumerable<Batch> Calibration() => calibration.GetEpoch(0).Take(o.CalibrationBatches);

    /// <summary>The validation batches a score is measured on.</summary>
    public IEnumerable<Batch> Validation()
    {
        IEnumerable<Batch> batches = validation.GetEpoch(0);
        return o.MaxValidationBatches is int cap ? batches.Take(cap) : batches;
    }

    /// <summary>Scores every candidate in order; the best (the first drawn among equals) wins.</summary>
    /// <param name="candidates">The drawn candidates (at least one).</param>
    /// <param name="score">A candidate's super-net validation accuracy.</param>
    /// <param name="scored">Logs a candidate's score: its 1-based index, the count, the accuracy and the candidate.</param>
    /// <exception cref="OperationCanceledException">Cancelled between two candidates.</exception>
    public (T Best, double Accuracy) Best<T>(IReadOnlyList<T> candidates, Func<T, double> score, Action<int, int, double, T> scored)
    {
        T best = candidates[0];
        double bestAccuracy = double.NegativeInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            double accuracy = score(candidates[i]);
            scored(i + 1, candidates.Count, accuracy, candidates[i]);
            if (accuracy > bestAccuracy) (best, bestAccuracy) = (candidates[i], accuracy);
        }

        return (best, bestAccuracy);
    }
}
