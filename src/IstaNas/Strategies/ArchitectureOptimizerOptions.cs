using System.ComponentModel.DataAnnotations;

namespace IstaNas.Strategies;

/// <summary>
/// The Adam optimiser of the architecture parameters (ISTA-NAS' latent vectors b, DARTS' alpha); the defaults are the
/// authors': learning rate 3e-4, betas (0.5, 0.999), weight decay 1e-3.
/// </summary>
public sealed class ArchitectureOptimizerOptions
{
    /// <summary>Adam learning rate.</summary>
    [Range(1e-12, 100.0)]
    public double LearningRate { get; set; } = 3e-4;

    /// <summary>Adam beta1.</summary>
    [Range(0.0, 0.999999)]
    public double Beta1 { get; set; } = 0.5;

    /// <summary>Adam beta2.</summary>
    [Range(0.0, 0.999999999)]
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Adam weight decay.</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; set; } = 1e-3;
}
