using IstaNas.Strategies;

namespace IstaNas.Evaluation;

/// <summary>The JSON form of an evaluation <see cref="EpochReport"/> inside a checkpoint.</summary>
internal sealed record HistoryEntry(
    int Epoch, int Epochs, double LearningRate, double DropPath, double TrainLoss, double TrainAccuracy,
    double TestLoss, double TestAccuracy, double TestTop5, double Seconds)
{
    public static HistoryEntry From(EpochReport r, double dropPath) => new(
        r.Epoch, r.Epochs, r.LearningRate, dropPath, r.TrainLoss, r.TrainAccuracy, r.ValidLoss, r.ValidAccuracy, r.ValidTop5, r.Elapsed.TotalSeconds);

    public EpochReport ToReport() => new()
    {
        Epoch = Epoch,
        Epochs = Epochs,
        Phase = EvaluationTrainer.Phase,
        LearningRate = LearningRate,
        TrainLoss = TrainLoss,
        TrainAccuracy = TrainAccuracy,
        ValidLoss = TestLoss,
        ValidAccuracy = TestAccuracy,
        ValidTop5 = TestTop5,
        Elapsed = TimeSpan.FromSeconds(Seconds),
    };
}
