using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.Training;

namespace IstaNas.Evaluation;

/// <summary>The outcome of <see cref="EvaluationTrainer"/>: the trained network, its test accuracy and the history.</summary>
public sealed record EvaluationResult
{
    /// <summary>File name of the saved network written by <see cref="Save"/>.</summary>
    public const string ModelFileName = "model.ckpt";

    /// <summary>The trained network (evaluation mode). The caller owns and must dispose it.</summary>
    public required EvaluationNetwork Network { get; init; }

    /// <summary>The architecture trained.</summary>
    public required Genotype Genotype { get; init; }

    /// <summary>The training settings.</summary>
    public required EvaluationOptions Options { get; init; }

    /// <summary>Test loss after the last completed epoch (NaN when no epoch completed).</summary>
    public required double TestLoss { get; init; }

    /// <summary>Test top-1 accuracy (0..1) after the last completed epoch.</summary>
    public required double TestAccuracy { get; init; }

    /// <summary>Test top-5 accuracy (0..1) after the last completed epoch (1 when there are at most 5 classes).</summary>
    public required double TestTop5 { get; init; }

    /// <summary>Parameters without the auxiliary head (the figure DARTS reports).</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Parameters of the auxiliary head alone.</summary>
    public required long AuxiliaryParameterCount { get; init; }

    /// <summary>One report per completed epoch (phase <see cref="TrainingPhase.Evaluate"/>; Test* hold the test set).</summary>
    public required IReadOnlyList<EpochReport> History { get; init; }

    /// <summary>Whether the run stopped early on cancellation (a checkpoint was saved when a directory is set).</summary>
    public bool Cancelled { get; init; }

    /// <summary>Epochs completed (including those before a resume).</summary>
    public int EpochsCompleted => History.Count;

    /// <summary>The last checkpoint written, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Wall time of this call (not including time before a resume).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Conditions the user should know about that did not stop the run (a checkpoint that could not be written ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Class names, input normalisation and image size that <see cref="Save"/> stores with the network (null: the <see cref="TrainedNetwork"/> defaults).</summary>
    public ModelMetadata? Metadata { get; init; }

    /// <summary>
    /// Writes <c>model.ckpt</c> (weights, genotype, options and <see cref="Metadata"/>; see <see cref="TrainedNetwork"/>), <c>genotype.json</c>,
    /// <c>network.json</c>, <c>history.json</c>, <c>history.csv</c> and <c>result.json</c> into <paramref name="directory"/>.
    /// Each file is written atomically; one that fails does not stop the others, and nothing is thrown for I/O errors.
    /// </summary>
    /// <param name="directory">The output directory (created when missing).</param>
    /// <returns>The files written and those that failed.</returns>
    public SavedFiles Save(string directory)
    {
        var files = new RunFileWriter(directory);
        files.File(ModelFileName, path => TrainedNetwork.Write(path, Network, Genotype, Metadata));
        files.File("genotype.json", Genotype.Save);
        files.Json("network.json", Network.Options with { DropPathProbability = 0 });
        files.History(History);
        files.Json("result.json", new
        {
            Genotype,
            Cancelled,
            EpochsCompleted,
            TestLoss,
            TestAccuracy,
            TestTop5,
            ParameterCount,
            AuxiliaryParameterCount,
            ElapsedSeconds = Elapsed.TotalSeconds,
            Checkpoint = CheckpointPath,
            Warnings,
        });
        return files.Finish();
    }
}
