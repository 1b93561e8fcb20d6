using IstaNas.Architecture;
using IstaNas.Evaluation;
using IstaNas.Strategies;

namespace IstaNas.Tests.Visualization;

/// <summary>Histories shaped like the strategies' and the evaluation trainer's, without running them.</summary>
internal static class FakeHistories
{
    public static readonly string[] NodeKeys = [.. new[] { "normal", "reduce" }.SelectMany(c => Enumerable.Range(0, 4).Select(i => $"{c}/{i}"))];

    /// <summary>
    /// A one-stage search: <paramref name="searchEpochs"/> search epochs with |z| and nodes freezing (node k of
    /// <see cref="NodeKeys"/> after epoch <c>FrozenAfter(k)</c>), then <paramref name="trainEpochs"/> training epochs
    /// with every node frozen; epochs counted through both phases, as the training loop does.
    /// </summary>
    public static SearchResult OneStage(int searchEpochs = 10, int trainEpochs = 5)
    {
        var history = new List<EpochReport>();
        for (int e = 1; e <= searchEpochs + trainEpochs; e++)
        {
            bool searching = e <= searchEpochs;
            history.Add(new EpochReport
            {
                Epoch = e,
                Epochs = searchEpochs + trainEpochs,
                Phase = searching ? TrainingPhase.Search : TrainingPhase.Train,
                LearningRate = 0.025 * (1 + Math.Cos(Math.PI * e / (searchEpochs + trainEpochs))) / 2,
                DropPathProbability = searching ? 0 : 0.2 * (e - searchEpochs) / trainEpochs,
                TrainLoss = 2.3 * Math.Exp(-0.1 * e),
                TrainAccuracy = 0.1 + 0.05 * e,
                ZMagnitude = NodeKeys.ToDictionary(k => k, k => Z(k, e)),
                FrozenNodes = searching ? NodeKeys.Where((_, k) => FrozenAfter(k, searchEpochs) <= e).ToArray() : NodeKeys,
                Elapsed = TimeSpan.FromSeconds(1),
            });
        }
        return new SearchResult { Strategy = "one-stage", Genotype = Genotype.IstaOneStage, History = history, Elapsed = TimeSpan.FromSeconds(15) };
    }

    /// <summary>The epoch after which node k of <see cref="NodeKeys"/> froze in <see cref="OneStage"/> (past the search: never).</summary>
    public static int FrozenAfter(int k, int searchEpochs = 10) => k == 5 ? int.MaxValue : 1 + (k * 3) % searchEpochs;

    /// <summary>A two-stage search: search epochs with a validation split and |z|, no freezing.</summary>
    public static SearchResult TwoStage(int epochs = 6) => new()
    {
        Strategy = "two-stage",
        Genotype = CellCases.Parallel,
        History = Enumerable.Range(1, epochs).Select(e => new EpochReport
        {
            Epoch = e,
            Epochs = epochs,
            LearningRate = 0.025,
            TrainLoss = 2.3 - 0.1 * e,
            TrainAccuracy = 0.1 + 0.03 * e,
            ValidLoss = e % 3 == 0 ? double.NaN : 2.4 - 0.08 * e,
            ValidAccuracy = 0.1 + 0.02 * e,
            ZMagnitude = NodeKeys.ToDictionary(k => k, k => Z(k, e)),
            Elapsed = TimeSpan.FromSeconds(1),
        }).ToArray(),
        Elapsed = TimeSpan.FromSeconds(6),
    };

    /// <summary>An evaluation run: train and test loss, top-1 and top-5, drop path growing.</summary>
    public static EvaluationResult Evaluation(int epochs = 8)
    {
        EpochReport[] history = Enumerable.Range(1, epochs).Select(e => new EpochReport
        {
            Epoch = e,
            Epochs = epochs,
            Phase = TrainingPhase.Evaluate,
            LearningRate = 0.025 * (1 + Math.Cos(Math.PI * (e - 1) / epochs)) / 2,
            DropPathProbability = 0.2 * (e - 1) / epochs,
            TrainLoss = 2.2 - 0.15 * e,
            TrainAccuracy = 0.2 + 0.06 * e,
            TestLoss = 2.25 - 0.12 * e,
            TestAccuracy = 0.15 + 0.05 * e,
            TestTop5 = 0.5 + 0.05 * e,
            Elapsed = TimeSpan.FromSeconds(1),
        }).ToArray();
        return new EvaluationResult
        {
            Network = null!, // pictures never touch the network
            Genotype = Genotype.DartsV2,
            Options = new EvaluationOptions(),
            TestLoss = history[^1].TestLoss,
            TestAccuracy = history[^1].TestAccuracy,
            TestTop5 = history[^1].TestTop5,
            ParameterCount = 1000,
            AuxiliaryParameterCount = 100,
            History = history,
        };
    }

    /// <summary>|z| of node <paramref name="key"/> after epoch <paramref name="e"/>: (node + 2) × 7 candidates, predecessor-major.</summary>
    private static double[] Z(string key, int e)
    {
        int node = key[^1] - '0', salt = key.Sum(ch => ch) % 97;
        return Enumerable.Range(0, (node + 2) * 7).Select(j => Math.Abs(Math.Sin(j * 1.7 + salt + e * 0.3)) * ((j * 31 + salt) % 11) / 10.0).ToArray();
    }
}
