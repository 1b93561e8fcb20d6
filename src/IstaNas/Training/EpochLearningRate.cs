namespace IstaNas.Training;

/// <summary>The learning rate of an epoch under a <see cref="LearningRateSchedule"/> with an optional linear warm-up.</summary>
internal static class EpochLearningRate
{
    /// <summary>
    /// Learning rate of 0-based <paramref name="epoch"/> of <paramref name="epochs"/>. During the first
    /// <paramref name="warmupEpochs"/> epochs it is <c>max · (epoch + 1) / warmupEpochs</c> whatever the schedule, as the
    /// authors' ImageNet script does.
    /// </summary>
    public static double At(LearningRateSchedule schedule, int epoch, int epochs, double max, double min, int warmupEpochs = 0)
    {
        if (epoch < warmupEpochs) return max * (epoch + 1) / warmupEpochs;
        return schedule switch
        {
            LearningRateSchedule.Cosine => CosineSchedule.At(epoch, epochs, max, min),
            LearningRateSchedule.Linear when epochs <= 5 => max * (epochs - epoch) / epochs,
            LearningRateSchedule.Linear when epochs - epoch > 5 => max * (epochs - 5 - epoch) / (epochs - 5),
            LearningRateSchedule.Linear => max * (epochs - epoch) / (5.0 * (epochs - 5)),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Unknown learning-rate schedule."),
        };
    }
}
