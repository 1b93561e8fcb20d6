namespace IstaNas.Training;

/// <summary>Cosine annealing stepped once per epoch, as PyTorch's CosineAnnealingLR(T_max = epochs).</summary>
internal static class CosineSchedule
{
    /// <summary>Learning rate of 0-based <paramref name="epoch"/> of <paramref name="epochs"/>.</summary>
    public static double At(int epoch, int epochs, double max, double min) =>
        min + (0.5 * (max - min) * (1 + Math.Cos(Math.PI * epoch / epochs)));

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void Apply(TorchSharp.torch.optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
