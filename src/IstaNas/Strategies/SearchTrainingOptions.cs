using System.ComponentModel.DataAnnotations;

using IstaNas.Training;

namespace IstaNas.Strategies;

/// <summary>Training settings of the search strategies: <see cref="TrainingOptions"/> plus the optimiser of the architecture parameters.</summary>
public abstract class SearchTrainingOptions : TrainingOptions
{
    /// <summary>Adam learning rate on the latent vectors b.</summary>
    [Range(1e-12, 100.0)]
    public double ArchLearningRate { get; set; } = 3e-4;

    /// <summary>Adam beta1 on b.</summary>
    [Range(0.0, 0.999999)]
    public double ArchBeta1 { get; set; } = 0.5;

    /// <summary>Adam beta2 on b.</summary>
    [Range(0.0, 0.999999999)]
    public double ArchBeta2 { get; set; } = 0.999;

    /// <summary>Adam weight decay on b.</summary>
    [Range(0.0, 1.0)]
    public double ArchWeightDecay { get; set; } = 1e-3;
}
