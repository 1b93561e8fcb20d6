namespace IstaNas.Training;

/// <summary>How the learning rate of the weights falls over the epochs of an evaluation.</summary>
public enum LearningRateSchedule
{
    /// <summary>Cosine annealing from the initial rate to the final one, stepped once per epoch (DARTS' CIFAR protocol).</summary>
    Cosine,

    /// <summary>
    /// The linear decay of ISTA-NAS' (and PC-DARTS') ImageNet script: epoch e of E runs at lr·(E − 5 − e)/(E − 5) while
    /// more than five epochs remain, then at lr·(E − e)/(5·(E − 5)) for the last five, a gentler slope that keeps the rate
    /// above zero; with E ≤ 5 epochs, lr·(E − e)/E. The final learning rate does not apply.
    /// </summary>
    Linear,
}
