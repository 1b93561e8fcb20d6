using System.ComponentModel.DataAnnotations;

namespace IstaNas.Training;

/// <summary>
/// Training settings of the target network (the DARTS evaluation protocol): <see cref="TrainingOptions"/> at the target's
/// defaults (600 epochs, batch 96, C = 36, L = 20, cutout 16) plus the auxiliary head and drop path. The one-stage search
/// trains this network from its first epoch; the evaluation trainer trains a fixed genotype's.
/// </summary>
public abstract class TargetTrainingOptions : TrainingOptions
{
    /// <summary>Creates the options with the target network's defaults.</summary>
    protected TargetTrainingOptions()
    {
        Epochs = 600;
        BatchSize = 96;
        Channels = 36;
        Layers = 20;
        Cutout = true;
    }

    /// <summary>Train with the auxiliary classifier after cell 2L/3 (needs 32 x 32 images).</summary>
    public bool Auxiliary { get; set; } = true;

    /// <summary>Weight of the auxiliary loss.</summary>
    [Range(0.0, 10.0)]
    public double AuxiliaryWeight { get; set; } = 0.4;

    /// <summary>Final drop-path probability; training epoch <c>e</c> (0-based) of <c>E</c> uses <c>p * e / E</c>, as in DARTS.</summary>
    [Range(0.0, 0.95)]
    public double DropPathProbability { get; set; } = 0.2;
}
