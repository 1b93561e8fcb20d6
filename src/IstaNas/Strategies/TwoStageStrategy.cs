using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// Two-stage ISTA-NAS (algorithm.md section 4): on a proxy super-net that runs only the support of every node,
/// alternate per minibatch a b-step (Adam on the validation loss, first order) and a W-step (SGD on the training
/// loss); after every epoch recover z from b by sparse coding, warm-started; the genotype is the top-s |z| per node.
/// With <see cref="TrainingOptions.CheckpointDirectory"/> set, <c>two-stage.ckpt</c> is replaced after every
/// epoch and on cancellation; <see cref="SearchContext.ResumeFrom"/> continues such a run exactly where it stopped.
/// </summary>
public sealed class TwoStageStrategy : IStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public TwoStageStrategy(TwoStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "TwoStage");
    }

    /// <summary>The options of this run.</summary>
    public TwoStageOptions Options { get; }

    /// <inheritdoc />
    public string Name => "two-stage";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILogger log = context.LoggerFactory.CreateLogger<TwoStageStrategy>();
        var total = Stopwatch.StartNew();
        TwoStageOptions o = Options;

        (DataLoader trainLoader, DataLoader validLoader, int steps) = SearchSetup.BilevelLoaders(context, o, o.TrainPortion, "b");

        torch.random.manual_seed(context.Seed);
        var coder = SparseCoder.Create(context.Recovery);
        using var space = new CompressedSearchSpace(context.SearchSpace, coder, context.Seed, context.Device);
        using var net = new SearchNetwork(SearchSetup.Network(context, o, [.. context.SearchSpace.Operations]) with { Affine = false });
        net.to(context.Device);
        TorchSharp.Modules.Parameter[] weights = net.WeightParameters().ToArray();
        using var wOptimizer = optim.SGD(weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        using var bOptimizer = optim.Adam(space.LatentParameters, o.ArchLearningRate, o.ArchBeta1, o.ArchBeta2, weight_decay: o.ArchWeightDecay);

        log.LogInformation(
            "Two-stage search on {Dataset} ({Train} images for W, {Valid} for b): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, m={M} s={S}",
            context.Train.Name, trainLoader.Dataset.Count, validLoader.Dataset.Count, o.Channels, o.Layers, o.BatchSize, steps, o.Epochs,
            context.SearchSpace.ProjectionDims, context.SearchSpace.Sparsity);

        string? checkpointPath = SearchCheckpoint.PathFor(Name, o);
        CheckpointFingerprint fingerprint = SearchCheckpoint.Fingerprint(Name, context, o);
        ResumePoint start = new(0, 0, [], null, null);
        if (context.ResumeFrom is string resumeFrom)
        {
            start = SearchCheckpoint.Restore(resumeFrom, Name, fingerprint, space, net, wOptimizer, bOptimizer);
            log.LogInformation("Resumed from {Path} at epoch {Epoch}, step {Step}.", resumeFrom, start.Epoch + 1, start.Step);
        }

        List<EpochReport> history = start.History;
        var warnings = new List<string>();
        bool cancelled = false;
        for (int epoch = start.Epoch; epoch < o.Epochs && !cancelled; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = CosineSchedule.At(epoch, o.Epochs, o.LearningRate, o.LearningRateMin);
            CosineSchedule.Apply(wOptimizer, lr);
            net.train();
            bool resuming = epoch == start.Epoch;
            int firstStep = resuming ? Math.Min(start.Step, steps) : 0;
            using var trainMetrics = new RunningMetrics(context.Device, resuming ? start.Train : null);
            using var validMetrics = new RunningMetrics(context.Device, resuming ? start.Valid : null);
            using (IEnumerator<Batch> trainBatches = trainLoader.GetEpoch(epoch, firstStep).GetEnumerator())
            using (IEnumerator<Batch> validBatches = validLoader.GetEpoch(epoch, firstStep).GetEnumerator())
            {
                for (int step = firstStep; step < steps; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        if (checkpointPath is not null)
                            SearchCheckpoint.Save(checkpointPath, Name, fingerprint, epoch, step, history, space, net, wOptimizer, bOptimizer, trainMetrics, validMetrics);
                        break;
                    }
                    trainBatches.MoveNext();
                    validBatches.MoveNext();
                    using Batch train = trainBatches.Current;
                    using Batch valid = validBatches.Current;
                    using (NewDisposeScope())
                        BilevelStep.Run(net, () => SetArchitecture(net, space), space.LatentParameters, bOptimizer, weights, wOptimizer, o.GradClip, valid, train, validMetrics, trainMetrics);
                    if (context.StepProgress is not null && ((step + 1) % 10 == 0 || step + 1 == steps))
                        context.StepProgress.Report(new StepReport(epoch + 1, step + 1, steps, trainMetrics.MeanLoss, trainMetrics.Accuracy));
                }
            }
            if (cancelled) break;

            var recoveryClock = Stopwatch.StartNew();
            RecoveryReport recovery = space.Recover();
            recoveryClock.Stop();
            Genotype genotype = space.DeriveGenotype();
            var report = new EpochReport
            {
                Epoch = epoch + 1,
                Epochs = o.Epochs,
                LearningRate = lr,
                TrainLoss = trainMetrics.MeanLoss,
                TrainAccuracy = trainMetrics.Accuracy,
                ValidLoss = validMetrics.MeanLoss,
                ValidAccuracy = validMetrics.Accuracy,
                Genotype = genotype,
                ZChange = recovery.Nodes.ToDictionary(n => NodeKeys.Of(n.Cell, n.Node), n => n.Change),
                ZMagnitude = ZMagnitudes(space),
                Elapsed = clock.Elapsed,
                RecoveryTime = recoveryClock.Elapsed,
            };
            history.Add(report);
            log.LogInformation(
                "epoch {Epoch}/{Epochs} lr {Lr:0.#####} train loss {TrainLoss:0.####} top1 {TrainAcc:P2} valid loss {ValidLoss:0.####} top1 {ValidAcc:P2} " +
                "max |dz| {Dz:0.###e0} ({Time:0.0} s, recovery {Rec:0.###} ms){NewLine}{Genotype}",
                report.Epoch, o.Epochs, lr, report.TrainLoss, report.TrainAccuracy, report.ValidLoss, report.ValidAccuracy,
                recovery.MaxChange, clock.Elapsed.TotalSeconds, recoveryClock.Elapsed.TotalMilliseconds, Environment.NewLine, genotype);
            if (!recovery.AllConverged)
                log.LogWarning("Recovery stopped at its iteration cap before reaching the tolerance for some nodes; raise Recovery.MaxIterations.");
            foreach (NodeRecovery kept in recovery.Kept)
            {
                string warning = $"Epoch {epoch + 1}: the recovered code of {NodeKeys.Of(kept.Cell, kept.Node)} has {kept.NonZeros} non-zero entries, " +
                                 $"fewer than s = {space.Options.Sparsity}; the node keeps its previous code and support.";
                log.LogWarning("{Warning}", warning);
                warnings.Add(warning);
            }
            if (checkpointPath is not null)
                SearchCheckpoint.Save(checkpointPath, Name, fingerprint, epoch + 1, 0, history, space, net, wOptimizer, bOptimizer, null, null);
            context.Progress?.Report(report);
        }

        return new SearchResult
        {
            Genotype = space.DeriveGenotype(),
            SearchSpace = space.GetState(),
            History = history,
            Cancelled = cancelled,
            Elapsed = total.Elapsed,
            Warnings = warnings,
        };
    }

    /// <summary>Hands the current alpha of both cell types to the super-net.</summary>
    internal static void SetArchitecture(ISuperNet net, ICompressedSearchSpace space)
    {
        net.SetArchitecture(CellType.Normal, space.ArchitectureWeights(CellType.Normal));
        net.SetArchitecture(CellType.Reduce, space.ArchitectureWeights(CellType.Reduce));
    }

    /// <summary>|z| per candidate of every node.</summary>
    internal static Dictionary<string, double[]> ZMagnitudes(ICompressedSearchSpace space)
    {
        var result = new Dictionary<string, double[]>();
        using var scope = NewDisposeScope();
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
            for (int i = 0; i < space.Nodes; i++)
                result[NodeKeys.Of(cell, i)] = space.Z(cell, i).abs().cpu().data<double>().ToArray();
        return result;
    }
}
