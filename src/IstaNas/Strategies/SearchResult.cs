using IstaNas.Architecture;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Training;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>The outcome of a search run.</summary>
public sealed record SearchResult
{
    private readonly nn.Module<Tensor, Tensor>? _model;

    /// <summary>The strategy that ran ("two-stage", "one-stage", "darts", ...).</summary>
    public string Strategy { get; init; } = string.Empty;

    /// <summary>The searched architecture of the DARTS cell space, its readable view; null for a search of a model's choices (see <see cref="Architecture"/>).</summary>
    public Genotype? Genotype { get; init; }

    /// <summary>
    /// The searched architecture of any space: choice name -> picks with their |z| (ISTA-NAS) or alpha (DARTS). For the
    /// DARTS cell space the choices are its nodes ("normal/0" .. "reduce/3") and the picks their candidates
    /// (predecessor * K + operation); null where a strategy does not fill it (DARTS cell searches of before issue 19).
    /// </summary>
    public ChoiceArchitecture? Architecture { get; init; }

    /// <summary>Final A, b, z, supports and frozen flags of the compressed space (null for strategies without one).</summary>
    public SearchSpaceState? SearchSpace { get; init; }

    /// <summary>Per-epoch history, from the start of the run (a resumed run included).</summary>
    public required IReadOnlyList<EpochReport> History { get; init; }

    /// <summary>
    /// Conditions a user should know about that did not stop the run (a node that kept its previous code because the
    /// recovered one was too sparse, a search cap that froze nodes still moving, a checkpoint that could not be written,
    /// ...); each is also logged as a warning.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether the run stopped early because it was cancelled.</summary>
    public bool Cancelled { get; init; }

    /// <summary>Wall time of this call (not including time before a resume).</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The checkpoint last written, or null (checkpoints off, or every write failed).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// One-stage search: the largest |difference| between the logits of the exported (BN-absorbed) network and of the
    /// super-net on a probe batch in eval mode; null for other strategies.
    /// </summary>
    public double? AbsorptionMaxError { get; init; }

    /// <summary>The trained network of the genotype (one-stage search: BN-absorbed); null otherwise. The caller disposes it.</summary>
    public EvaluationNetwork? Network { get; init; }

    /// <summary>
    /// The trained model (one-stage search): <see cref="Network"/> for the DARTS cell space; for a model with choices a fresh
    /// model of the space holding the trained weights, fixed to the picks, with alpha absorbed into the final BN of every
    /// pick that ends in one and kept as a constant scale on the others (saved, exported and loaded with
    /// <c>TrainedNetwork.Load(path, factory)</c> like any fixed model of your own). Null for other strategies. The caller
    /// disposes it.
    /// </summary>
    public nn.Module<Tensor, Tensor>? Model
    {
        get => _model ?? Network;
        init => _model = value;
    }

    /// <summary>Class names, input normalisation and image size of the training data, saved with <see cref="Network"/>.</summary>
    public ModelMetadata? Metadata { get; init; }

    /// <summary>
    /// Writes the results into <paramref name="directory"/>: <c>genotype.json</c>, <c>genotype.txt</c> (the DARTS cell
    /// space), <c>architecture.json</c> (when <see cref="Architecture"/> is set), <c>history.json</c>, <c>history.csv</c>, <c>search_space.json</c> (strategies with a compressed space),
    /// <c>model.ckpt</c> (the one-stage network or model) and <c>result.json</c> (a summary). Each file is written atomically; one
    /// that fails does not stop the others, and nothing is thrown for I/O errors (see <see cref="SavedFiles.Failed"/>).
    /// </summary>
    /// <param name="directory">The output folder (created when missing).</param>
    /// <returns>The files written and those that failed.</returns>
    public SavedFiles Save(string directory)
    {
        var files = new RunFileWriter(directory);
        if (Genotype is not null)
        {
            files.File("genotype.json", Genotype.Save);
            files.Text("genotype.txt", Genotype + Environment.NewLine);
        }
        if (Architecture is not null) files.File("architecture.json", Architecture.Save);
        files.History(History);
        if (SearchSpace is not null) files.Text("search_space.json", SearchSpace.ToJson());
        if (Network is not null && Genotype is not null) files.File(EvaluationResult.ModelFileName, path => TrainedNetwork.Write(path, Network, Genotype, Metadata));
        else if (_model is not null) files.File(EvaluationResult.ModelFileName, path => TrainedNetwork.WriteModel(path, _model, Metadata));
        files.Json("result.json", new
        {
            Strategy,
            Genotype,
            Cancelled,
            Epochs = History.Count,
            ElapsedSeconds = Elapsed.TotalSeconds,
            AbsorptionMaxError,
            Checkpoint = CheckpointPath,
            Warnings,
        });
        return files.Finish();
    }
}
