using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.IO;
using IstaNas.SearchSpace;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;

namespace IstaNas.Strategies;

/// <summary>
/// The base of every strategy's run on the <see cref="TrainingLoop"/> (the built-in <c>*Run</c> classes and the run behind
/// <see cref="SearchLoop"/>): the context, the checkpoint fingerprint (data content, seed, search space, recovery, options
/// but the epoch count), the stored settings (<see cref="StoredSearchSettings"/>), and the result.
/// </summary>
internal abstract class StrategyRun : TrainingLoop, IDisposable
{
    /// <summary>Checkpoint section of the optimiser of the network weights W, in every built-in strategy's checkpoint.</summary>
    protected const string WeightsOptimizer = "w-optimizer";

    private const string WeightGradients = "w-gradients";

    private readonly string _kind;

    protected StrategyRun(string kind, SearchContext context, TrainingOptions options, ILogger log)
        : base(options, context.Device, log)
    {
        _kind = kind;
        Context = context;
        SearchOptions = options;
        Progress = context.Progress;
        StepProgress = context.StepProgress;
        Annotations = context.Annotations;
    }

    /// <summary>Data, search space, recovery, device, seed.</summary>
    protected SearchContext Context { get; }

    /// <summary>The strategy's options.</summary>
    protected TrainingOptions SearchOptions { get; }

    /// <inheritdoc />
    protected override string Kind => _kind;

    /// <inheritdoc />
    protected override object? Settings => new StoredSearchSettings(
        _kind, JsonSerializer.SerializeToElement(SearchOptions, SearchOptions.GetType(), JsonFormat.Compact), Context.SearchSpace, Context.SparseCoder, Context.Seed)
    {
        Choices = SpaceDecisions,
    };

    /// <inheritdoc />
    protected override CheckpointFingerprint Fingerprint()
    {
        SearchContext c = Context;
        CheckpointFingerprint f = TrainingData.Fingerprint(CheckpointFingerprint.Empty.With("strategy", _kind), "data.train", c.Train)
            .With("seed", c.Seed)
            .With("space.nodes", c.SearchSpace.Nodes)
            .With("space.operations", string.Join(",", c.SearchSpace.Operations))
            .With("space.m", c.SearchSpace.ProjectionDims)
            .With("space.s", c.SearchSpace.Sparsity)
            .With("space.matrix", c.SearchSpace.Matrix)
            .With("space.latentInitScale", c.SearchSpace.LatentInitScale)
            .With("sparseCoder.lambda", c.SparseCoder.Lambda)
            .With("sparseCoder.method", c.SparseCoder.Method)
            .With("sparseCoder.tolerance", c.SparseCoder.Tolerance)
            .With("sparseCoder.maxIterations", c.SparseCoder.MaxIterations);
        if (SpaceDecisions is not null) f = f.With("space.choices", SuperNets.Describe(SpaceDecisions));
        f = f.WithOptions("options", SearchOptions);
        return f;
    }

    /// <summary>The decisions of a search of a model's choices (with their m where the space is compressed); null for the DARTS cell space.</summary>
    protected IReadOnlyList<Decision>? SpaceDecisions { get; set; }

    /// <summary>The result of a finished (or cancelled) run.</summary>
    protected SearchResult Result(TrainingOutcome outcome, Genotype? genotype, SearchSpaceState? space) => new()
    {
        Strategy = _kind,
        Genotype = genotype,
        Architecture = genotype is null ? null : ChoiceArchitectures.OfGenotype(genotype, [.. Context.SearchSpace.Operations]),
        SearchSpace = space,
        History = outcome.History,
        Cancelled = outcome.Cancelled,
        Elapsed = outcome.Elapsed,
        Warnings = [.. Warnings],
        CheckpointPath = outcome.CheckpointPath,
    };

    /// <summary>
    /// With zero-filled gradients (<paramref name="zeroFilled"/>), which weights hold one decides which SGD steps: stores
    /// them, so that a resumed run steps the same.
    /// </summary>
    protected static void SaveHeldGradients(CheckpointWriter writer, IReadOnlyList<Parameter> weights, bool zeroFilled)
    {
        if (zeroFilled) writer.SetValue(WeightGradients, Gradients.Held(weights));
    }

    /// <summary>Gives back the gradients <see cref="SaveHeldGradients"/> stored (zeroed), with zero-filled gradients.</summary>
    protected static void RestoreHeldGradients(Checkpoint checkpoint, IReadOnlyList<Parameter> weights, bool zeroFilled)
    {
        if (zeroFilled && checkpoint.Metadata.TryGetValue(WeightGradients, out int[]? held)) Gradients.Restore(weights, held!);
    }

    /// <summary>Disposes the run's network, optimisers and search space.</summary>
    public abstract void Dispose();
}
