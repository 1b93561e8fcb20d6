using IstaNas.Checkpoints;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using TorchSharp.Modules;

namespace IstaNas.Strategies;

/// <summary>
/// Checkpoints of the search strategies: weights, both optimisers, the compressed space (A, b, z, supports, frozen
/// flags), torch's RNG, the position (epoch, step), the partial metrics of an interrupted epoch and the history.
/// The file is <c>{kind}.ckpt</c> in <see cref="TrainingOptions.CheckpointDirectory"/>, replaced atomically.
/// </summary>
internal static class SearchCheckpoint
{
    private const string SpaceValue = "searchSpace";
    private const string TrainMetricsValue = "trainMetrics";
    private const string ValidMetricsValue = "validMetrics";
    private const string WeightsOptimizer = "w-optimizer";
    private const string LatentOptimizer = "b-optimizer";

    /// <summary>Where a strategy of this kind writes its checkpoint, or null when checkpoints are off.</summary>
    public static string? PathFor(string kind, SearchTrainingOptions options) =>
        options.CheckpointDirectory is null ? null : Path.Combine(options.CheckpointDirectory, kind + ".ckpt");

    /// <summary>Everything that must match for a checkpoint to continue this run.</summary>
    public static CheckpointFingerprint Fingerprint(string kind, SearchContext context, SearchTrainingOptions options)
    {
        CheckpointFingerprint f = CheckpointFingerprint.Empty
            .With("strategy", kind)
            .With("data.name", context.Train.Name)
            .With("data.count", context.Train.Count)
            .With("data.shape", $"{context.Train.Channels}x{context.Train.Height}x{context.Train.Width}")
            .With("data.classes", context.Train.ClassCount)
            .With("seed", context.Seed)
            .With("space.nodes", context.SearchSpace.Nodes)
            .With("space.operations", string.Join(",", context.SearchSpace.Operations))
            .With("space.m", context.SearchSpace.ProjectionDims)
            .With("space.s", context.SearchSpace.Sparsity)
            .With("space.matrix", context.SearchSpace.Matrix)
            .With("space.latentInitScale", context.SearchSpace.LatentInitScale)
            .With("recovery.lambda", context.Recovery.Lambda)
            .With("recovery.method", context.Recovery.Method)
            .With("recovery.tolerance", context.Recovery.Tolerance)
            .With("recovery.maxIterations", context.Recovery.MaxIterations);
        foreach (var p in options.GetType().GetProperties().Where(p => p.Name != nameof(TrainingOptions.CheckpointDirectory)).OrderBy(p => p.Name, StringComparer.Ordinal))
            f = f.With("options." + p.Name, p.GetValue(options));
        return f;
    }

    /// <summary>Writes the checkpoint (atomically).</summary>
    public static void Save(
        string path, string kind, CheckpointFingerprint fingerprint, int epoch, int step, IReadOnlyList<EpochReport> history,
        ICompressedSearchSpace space, SearchNetwork net, OptimizerHelper weights, OptimizerHelper latent,
        RunningMetrics? train, RunningMetrics? valid)
    {
        var writer = new CheckpointWriter(kind, fingerprint) { Epoch = epoch, Step = step }
            .SetHistory(history)
            .SetValue(SpaceValue, space.GetState())
            .AddModule(net)
            .AddOptimizer(weights, WeightsOptimizer)
            .AddOptimizer(latent, LatentOptimizer)
            .AddRngState();
        if (train is not null) writer.SetValue(TrainMetricsValue, train.Snapshot());
        if (valid is not null) writer.SetValue(ValidMetricsValue, valid.Snapshot());
        writer.Save(path);
    }

    /// <summary>Checks a checkpoint against this run and restores every piece of state into the given objects.</summary>
    /// <exception cref="CheckpointException">A corrupt file, another kind of run, or a run of another shape.</exception>
    public static ResumePoint Restore(
        string path, string kind, CheckpointFingerprint fingerprint,
        ICompressedSearchSpace space, SearchNetwork net, OptimizerHelper weights, OptimizerHelper latent)
    {
        Checkpoint checkpoint = Checkpoint.Load(path);
        checkpoint.EnsureKind(kind);
        checkpoint.EnsureFingerprint(fingerprint);
        SearchSpaceState state = checkpoint.Metadata.GetValue<SearchSpaceState>(SpaceValue);
        try
        {
            space.LoadState(state);
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException(path, ex.Message, ex);
        }
        checkpoint.LoadModule(net);
        checkpoint.LoadOptimizer(weights, WeightsOptimizer);
        checkpoint.LoadOptimizer(latent, LatentOptimizer);
        checkpoint.RestoreRngState();
        checkpoint.Metadata.TryGetValue(TrainMetricsValue, out MetricsSnapshot? train);
        checkpoint.Metadata.TryGetValue(ValidMetricsValue, out MetricsSnapshot? valid);
        return new ResumePoint(checkpoint.Metadata.Epoch, checkpoint.Metadata.Step, [.. checkpoint.Metadata.GetHistory<EpochReport>()], train, valid);
    }
}

/// <summary>Where a resumed search continues.</summary>
/// <param name="Epoch">0-based epoch to continue.</param>
/// <param name="Step">Step within that epoch to continue from (0: the epoch's start).</param>
/// <param name="History">Reports of the finished epochs.</param>
/// <param name="Train">Training sums of the interrupted epoch, if any.</param>
/// <param name="Valid">Validation sums of the interrupted epoch, if any.</param>
internal sealed record ResumePoint(int Epoch, int Step, List<EpochReport> History, MetricsSnapshot? Train, MetricsSnapshot? Valid);
