using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.Training;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>The outcome of <see cref="EvaluationTrainer"/>: the trained network, its test accuracy and the history.</summary>
public sealed record EvaluationResult
{
    /// <summary>File name of the saved network written by <see cref="Save"/>.</summary>
    public const string ModelFileName = "model.ckpt";

    private readonly EvaluationNetwork? _network;
    private readonly nn.Module<Tensor, Tensor>? _model;
    private readonly Genotype? _genotype;

    /// <summary>The trained DARTS network of a genotype (evaluation mode). The caller owns and must dispose it.</summary>
    /// <exception cref="InvalidOperationException">The result is of a model of your own: read <see cref="Model"/>.</exception>
    public EvaluationNetwork Network
    {
        get => _network ?? throw new InvalidOperationException("This is the result of a model of your own, not of a genotype's network; read Model.");
        init => _network = value;
    }

    /// <summary>The trained model (evaluation mode): the genotype's <see cref="Network"/>, or the model of your own. The caller owns and must dispose it.</summary>
    public nn.Module<Tensor, Tensor> Model
    {
        get => _model ?? _network ?? throw new InvalidOperationException("The result holds no model.");
        init => _model = value;
    }

    /// <summary>The architecture trained.</summary>
    /// <exception cref="InvalidOperationException">The result is of a model of your own, which has no genotype.</exception>
    public Genotype Genotype
    {
        get => _genotype ?? throw new InvalidOperationException("This is the result of a model of your own, which has no genotype.");
        init => _genotype = value;
    }

    /// <summary>Whether this is the result of a model of your own (no <see cref="Network"/> or <see cref="Genotype"/>).</summary>
    public bool IsOwnModel => _network is null;

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
        if (_network is null || _genotype is null)
        {
            files.File(ModelFileName, path => TrainedNetwork.WriteModel(path, Model, Metadata));
        }
        else
        {
            files.File(ModelFileName, path => TrainedNetwork.Write(path, _network, _genotype, Metadata));
            files.File("genotype.json", _genotype.Save);
            files.Json("network.json", _network.Options with { DropPathProbability = 0 });
        }

        files.History(History);
        var summary = new
        {
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
        };
        if (_genotype is not null)
        {
            files.Json("result.json", new
            {
                Genotype = _genotype,
                summary.Cancelled,
                summary.EpochsCompleted,
                summary.TestLoss,
                summary.TestAccuracy,
                summary.TestTop5,
                summary.ParameterCount,
                summary.AuxiliaryParameterCount,
                summary.ElapsedSeconds,
                summary.Checkpoint,
                summary.Warnings,
            });
        }
        else
        {
            files.Json("result.json", new { Model = Model.GetType().Name, summary.Cancelled, summary.EpochsCompleted, summary.TestLoss, summary.TestAccuracy, summary.TestTop5, summary.ParameterCount, summary.ElapsedSeconds, summary.Checkpoint, summary.Warnings });
        }

        return files.Finish();
    }
}
