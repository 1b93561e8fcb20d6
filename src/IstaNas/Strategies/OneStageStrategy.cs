using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using Microsoft.Extensions.Logging;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage ISTA-NAS (algorithm.md section 5). The super-net has the target network's settings and a BN at the end of
/// every candidate (appended to pools and the identity skip); the affine parameters of every BN inside a candidate
/// (SepConv's inner one too) stay at gamma = 1, beta = 0 while its node searches. Each minibatch does one forward/backward on the training set that updates b (Adam) and W (SGD).
/// After every epoch the searching nodes' codes are recovered; a code whose derived network exceeds the parameter budget
/// is rejected; a node whose code moved by at most epsilon freezes: its b stops, its alpha becomes a constant and the BN
/// affine parameters of its selected operations start training. When every node is frozen the architecture is fixed and
/// the network trains for <see cref="TrainingOptions.Epochs"/> more epochs under a cosine schedule. The result
/// holds the genotype and the trained network with every alpha absorbed into its BN.
/// </summary>
public sealed class OneStageStrategy : IStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public OneStageStrategy(OneStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "OneStage");
    }

    /// <summary>The options of this run.</summary>
    public OneStageOptions Options { get; }

    /// <inheritdoc />
    public string Name => "one-stage";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILogger log = context.LoggerFactory.CreateLogger<OneStageStrategy>();
        var total = Stopwatch.StartNew();
        OneStageOptions o = Options;
        SearchSetup.RequireTwoClasses(context.Train, "training");
        if (context.Train.Count < o.BatchSize)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} images, fewer than one batch of {o.BatchSize}.", nameof(context));
        if (context.SearchSpace.Sparsity != 2)
            throw new ArgumentException(
                $"One-stage search exports a DARTS network, which has exactly 2 inputs per node; SearchSpace.Sparsity is {context.SearchSpace.Sparsity}.", nameof(context));
        if (o.Auxiliary && (context.Train.Height != 32 || context.Train.Width != 32))
            throw new ArgumentException(
                $"The auxiliary head needs 32x32 images; '{context.Train.Name}' has {context.Train.Height}x{context.Train.Width}. Disable Auxiliary or pad the images.", nameof(context));

        DataLoader loader = SearchSetup.Loader(context.Train, context, o, 0);
        int steps = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, loader.BatchesPerEpoch) : loader.BatchesPerEpoch;

        torch.random.manual_seed(context.Seed);
        var coder = SparseCoder.Create(context.Recovery);
        using var space = new CompressedSearchSpace(context.SearchSpace, coder, context.Seed, context.Device);
        using var net = new SearchNetwork(SearchSetup.Network(context, o, [.. context.SearchSpace.Operations]) with
        {
            Affine = true,
            AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip,
            Auxiliary = o.Auxiliary,
        });
        net.to(context.Device);
        foreach (CellType cell in Cells)
            for (int i = 0; i < space.Nodes; i++)
                net.SetCandidateBatchNormTrainable(cell, i, Enumerable.Range(0, space.CandidateCount(i)), trainable: false);

        Parameter[] weights = net.WeightParameters().ToArray();
        using var wOptimizer = optim.SGD(weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        using var bOptimizer = optim.Adam(space.LatentParameters, o.ArchLearningRate, o.ArchBeta1, o.ArchBeta2, weight_decay: o.ArchWeightDecay);

        log.LogInformation(
            "One-stage search on {Dataset} ({Count} images): C={C} L={L} batch {Batch}, {Steps} steps per epoch, epsilon {Epsilon}, " +
            "budget {Budget} M parameters, then {Epochs} training epochs",
            context.Train.Name, context.Train.Count, o.Channels, o.Layers, o.BatchSize, steps, o.Epsilon,
            o.ParameterBudgetMillions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no", o.Epochs);

        string? checkpointPath = SearchCheckpoint.PathFor(Name, o);
        CheckpointFingerprint fingerprint = SearchCheckpoint.Fingerprint(Name, context, o);
        ResumePoint start = new(0, 0, [], null, null);
        if (context.ResumeFrom is string resumeFrom)
        {
            start = SearchCheckpoint.Restore(resumeFrom, Name, fingerprint, space, net, wOptimizer, bOptimizer);
            foreach (CellType cell in Cells)
                for (int i = 0; i < space.Nodes; i++)
                    if (space.IsFrozen(cell, i)) net.SetCandidateBatchNormTrainable(cell, i, space.Support(cell, i), trainable: true);
            log.LogInformation("Resumed from {Path} at epoch {Epoch}, step {Step}.", resumeFrom, start.Epoch + 1, start.Step);
        }

        List<EpochReport> history = start.History;
        var warnings = new List<string>();
        bool cancelled = false;
        int searchEpochs = history.Count(h => h.Phase == "search"), trainEpochs = history.Count(h => h.Phase == "train");
        for (int epoch = start.Epoch; !cancelled; epoch++)
        {
            bool searching = !AllFrozen(space);
            if (!searching && trainEpochs >= o.Epochs) break;
            var clock = Stopwatch.StartNew();
            double lr = searching ? o.LearningRate : CosineSchedule.At(trainEpochs, o.Epochs, o.LearningRate, o.LearningRateMin);
            CosineSchedule.Apply(wOptimizer, lr);
            net.DropPathProbability = searching ? 0 : o.DropPathProbability * trainEpochs / o.Epochs;
            net.train();
            bool resuming = epoch == start.Epoch;
            int firstStep = resuming ? Math.Min(start.Step, steps) : 0;
            using var metrics = new RunningMetrics(context.Device, resuming ? start.Train : null);
            using DisposeScope? constantAlphas = searching ? null : NewDisposeScope();
            if (!searching) SetArchitecture(net, space); // constant alphas: set once per epoch
            using (IEnumerator<Batch> batches = loader.GetEpoch(epoch, firstStep).GetEnumerator())
            {
                for (int step = firstStep; step < steps; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        if (checkpointPath is not null)
                            SearchCheckpoint.Save(checkpointPath, Name, fingerprint, epoch, step, history, space, net, wOptimizer, bOptimizer, metrics, null);
                        break;
                    }
                    batches.MoveNext();
                    using Batch b = batches.Current;
                    using (NewDisposeScope())
                    {
                        Gradients.Clear(weights);
                        if (searching)
                        {
                            Gradients.Clear(space.LatentParameters);
                            SetArchitecture(net, space);
                        }
                        (Tensor logits, Tensor? aux) = net.ForwardWithAuxiliary(b.Images);
                        Tensor loss = nn.functional.cross_entropy(logits, b.Labels);
                        Tensor objective = aux is null ? loss : loss + (nn.functional.cross_entropy(aux, b.Labels) * o.AuxiliaryWeight);
                        objective.backward();
                        if (o.GradClip > 0) nn.utils.clip_grad_norm_(weights, o.GradClip);
                        wOptimizer.step();
                        if (searching) bOptimizer.step();
                        metrics.Add(loss, logits, b.Labels);
                    }
                    if (context.StepProgress is not null && ((step + 1) % 10 == 0 || step + 1 == steps))
                        context.StepProgress.Report(new StepReport(epoch + 1, step + 1, steps, metrics.MeanLoss, metrics.Accuracy));
                }
            }
            if (cancelled) break;

            var recoveryClock = Stopwatch.StartNew();
            var changes = new Dictionary<string, double>();
            if (searching)
            {
                searchEpochs++;
                changes = RecoverAndFreeze(space, net, o, context, searchEpochs, log, warnings);
            }
            else
            {
                trainEpochs++;
            }
            recoveryClock.Stop();
            var report = new EpochReport
            {
                Epoch = epoch + 1,
                // Epochs planned in all: exact once the architecture is fixed; while searching, the cap or (without one) a
                // lower bound that grows with every search epoch.
                Epochs = (searching ? Math.Max(o.MaxSearchEpochs ?? searchEpochs, searchEpochs) : searchEpochs) + o.Epochs,
                Phase = searching ? "search" : "train",
                LearningRate = lr,
                TrainLoss = metrics.MeanLoss,
                TrainAccuracy = metrics.Accuracy,
                Genotype = space.DeriveGenotype(),
                ZChange = changes,
                ZMagnitude = TwoStageStrategy.ZMagnitudes(space),
                FrozenNodes = FrozenKeys(space),
                Elapsed = clock.Elapsed,
                RecoveryTime = recoveryClock.Elapsed,
            };
            history.Add(report);
            if (checkpointPath is not null)
                SearchCheckpoint.Save(checkpointPath, Name, fingerprint, epoch + 1, 0, history, space, net, wOptimizer, bOptimizer, null, null);
            log.LogInformation(
                "{Phase} epoch {Epoch} lr {Lr:0.#####} train loss {Loss:0.####} top1 {Acc:P2}, frozen {Frozen}/{Nodes} ({Time:0.0} s)",
                report.Phase, report.Epoch, lr, report.TrainLoss, report.TrainAccuracy, report.FrozenNodes.Count, 2 * space.Nodes, clock.Elapsed.TotalSeconds);
            context.Progress?.Report(report);
        }

        // Every alpha is a constant now (or the run was cancelled while searching: freeze what is there to export it).
        for (int k = 0; k < 2 * space.Nodes; k++) space.SetFrozen(Cells[k / space.Nodes], k % space.Nodes, true);
        EvalNetwork exported;
        double absorptionError;
        using (NewDisposeScope())
        using (no_grad())
        {
            SetArchitecture(net, space);
            exported = BatchNormAbsorption.Export(net);
            // Check the export on a real batch: in eval mode both networks must compute the same function.
            using Batch probe = loader.GetBatch(0, 0);
            net.eval();
            exported.eval();
            absorptionError = (exported.forward(probe.Images) - net.forward(probe.Images)).abs().max().item<float>();
        }
        log.LogInformation("Exported the network of the genotype with alpha absorbed into its BNs ({Params:0.###} M parameters; max logit difference to the super-net {Error:0.###e0}).",
            exported.ParameterCount / 1e6, absorptionError);
        return new SearchResult
        {
            Genotype = space.DeriveGenotype(),
            SearchSpace = space.GetState(),
            History = history,
            Cancelled = cancelled,
            Elapsed = total.Elapsed,
            Network = exported,
            AbsorptionMaxError = absorptionError,
            Warnings = warnings,
        };
    }

    private static readonly CellType[] Cells = [CellType.Normal, CellType.Reduce];

    /// <summary>
    /// Recovers the searching nodes, applies the parameter budget and freezes the nodes that converged. As in the
    /// authors' <c>trainer.py</c>, the freeze flags come from the recovered code before the budget check: a rejected
    /// code is discarded (the previous code stays), and the nodes whose recovered code moved by at most epsilon still
    /// freeze, at the previous code. A node whose recovered code was too sparse kept its code and has not converged.
    /// </summary>
    private static Dictionary<string, double> RecoverAndFreeze(
        CompressedSearchSpace space, SearchNetwork net, OneStageOptions o, SearchContext context, int searchEpoch, ILogger log, List<string> warnings)
    {
        SearchSpaceState before = space.GetState();
        RecoveryReport recovery = space.Recover();
        var changes = recovery.Nodes.ToDictionary(n => NodeKeys.Of(n.Cell, n.Node), n => n.Change);
        foreach (NodeRecovery kept in recovery.Kept)
            Warn(log, warnings, $"Epoch {searchEpoch}: the recovered code of {NodeKeys.Of(kept.Cell, kept.Node)} has {kept.NonZeros} non-zero entries, " +
                $"fewer than s = {space.Options.Sparsity}; the node keeps its previous code and support.");
        if (o.ParameterBudgetMillions is double budget)
        {
            double millions = DerivedParameterMillions(space.DeriveGenotype(), o, context);
            if (millions >= budget) // the authors reject at param_size >= 3.7
            {
                log.LogInformation("Rejected the new code: its network has {Params:0.###} M parameters, at or above the budget of {Budget} M.", millions, budget);
                space.LoadState(before);
            }
        }
        bool forceAll = o.MaxSearchEpochs is int cap && searchEpoch >= cap;
        foreach (NodeRecovery n in recovery.Nodes)
        {
            bool converged = !n.KeptPrevious && n.Change <= o.Epsilon;
            if (!converged && !forceAll) continue;
            space.SetFrozen(n.Cell, n.Node, true);
            net.SetCandidateBatchNormTrainable(n.Cell, n.Node, space.Support(n.Cell, n.Node), trainable: true);
        }
        if (forceAll && recovery.Nodes.Any(n => n.KeptPrevious || n.Change > o.Epsilon))
            Warn(log, warnings, $"Reached MaxSearchEpochs = {o.MaxSearchEpochs} with nodes still moving; froze them at their current code.");
        return changes;
    }

    private static void Warn(ILogger log, List<string> warnings, string message)
    {
        log.LogWarning("{Warning}", message);
        warnings.Add(message);
    }

    /// <summary>Parameters (millions, auxiliary excluded) of the evaluation network a genotype derives, at the run's size.</summary>
    internal static double DerivedParameterMillions(Genotype genotype, OneStageOptions o, SearchContext context)
    {
        using var scope = NewDisposeScope();
        using var network = new EvalNetwork(
            new EvalNetworkOptions
            {
                Channels = o.Channels,
                Layers = o.Layers,
                StemMultiplier = o.StemMultiplier,
                Auxiliary = false,
                InputChannels = context.Train.Channels,
                Classes = context.Train.ClassCount,
                BatchNormAfterParameterFree = true,
            },
            Topology(genotype, CellType.Normal),
            Topology(genotype, CellType.Reduce));
        return network.ParameterCount / 1e6;
    }

    private static CellTopology Topology(Genotype g, CellType cell) =>
        new(g.Cell(cell).Select(e => (e.Operation, e.Input)).ToArray(), [.. g.Concat(cell)]);

    private static void SetArchitecture(ISuperNet net, ICompressedSearchSpace space) => TwoStageStrategy.SetArchitecture(net, space);

    private static bool AllFrozen(ICompressedSearchSpace space) =>
        Enumerable.Range(0, 2 * space.Nodes).All(k => space.IsFrozen(Cells[k / space.Nodes], k % space.Nodes));

    private static string[] FrozenKeys(ICompressedSearchSpace space) =>
        [.. Enumerable.Range(0, 2 * space.Nodes).Where(k => space.IsFrozen(Cells[k / space.Nodes], k % space.Nodes))
                     .Select(k => NodeKeys.Of(Cells[k / space.Nodes], k % space.Nodes))];
}
