using System.ComponentModel.DataAnnotations;

namespace StrategySample;

/// <summary>The options of <see cref="ShrinkingStrategy"/>: the training loop's (epochs, batch, SGD on W, checkpoints) and Adam on alpha.</summary>
public sealed class ShrinkingOptions : TrainingOptions
{
    /// <summary>Learning rate of Adam on the architecture weights alpha (DARTS' 3e-4; higher for short runs).</summary>
    [Range(1e-12, 100.0)]
    public double ArchitectureLearningRate { get; set; } = 3e-3;
}
