using System.Text.Json;

namespace IstaNas.Checkpoints;

/// <summary>What a checkpoint file says about its run, read without loading any tensor: kind, position and annotations.</summary>
/// <param name="Path">The file.</param>
/// <param name="Kind">The kind of run: "two-stage", "one-stage", "darts", "evaluation", "network" (a saved model), ...</param>
/// <param name="Epoch">Completed epochs (the 0-based epoch a resumed run starts).</param>
/// <param name="Step">Completed steps of that epoch (0 at an epoch boundary).</param>
/// <param name="CreatedUtc">When the file was written.</param>
/// <param name="Annotations">The free-form values the run stored (<c>SearchBuilder.Annotate</c>, <c>EvaluationTrainer.Annotations</c>).</param>
public sealed record CheckpointInfo(string Path, string Kind, int Epoch, int Step, DateTimeOffset CreatedUtc, IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The name of the annotations value in a checkpoint's metadata.</summary>
    internal const string AnnotationsValue = "annotations";

    /// <summary>Reads and verifies a checkpoint file (every hash) and returns what it says about its run.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The information.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">Not a checkpoint, truncated or corrupted; the message names the file and the problem.</exception>
    public static CheckpointInfo Read(string path)
    {
        Checkpoint checkpoint = Checkpoint.Load(path);
        CheckpointMetadata m = checkpoint.Metadata;
        return new CheckpointInfo(checkpoint.Path, m.Kind, m.Epoch, m.Step, m.CreatedUtc, ReadAnnotations(checkpoint));
    }

    /// <summary>The annotations stored in a checkpoint (empty when none were).</summary>
    internal static IReadOnlyDictionary<string, string> ReadAnnotations(Checkpoint checkpoint)
    {
        try
        {
            return checkpoint.Metadata.TryGetValue(AnnotationsValue, out Dictionary<string, string>? values) && values is not null
                ? values
                : new Dictionary<string, string>();
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(checkpoint.Path, $"its annotations are unreadable: {ex.Message}", ex);
        }
    }
}
