using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage ISTA-NAS (docs/concepts.md, "One-stage search"). The super-net has the target network's settings and a BN
/// at the end of every candidate (appended to pools and the identity skip); the affine parameters of every BN inside a
/// candidate (SepConv's inner one too) stay at gamma = 1, beta = 0 while its node searches. Each minibatch does one
/// forward/backward on the training set that updates b (Adam) and W (SGD). After every epoch the searching nodes' codes
/// are recovered; a code whose derived network reaches the parameter budget is rejected; a node whose code moved by at
/// most epsilon freezes: its b stops, its alpha becomes a constant and the BNs of its selected operations start
/// training. When every node is frozen the architecture is fixed and
/// the network trains for <see cref="Training.TrainingOptions.Epochs"/> more epochs under a cosine schedule. The result
/// holds the genotype and the trained network with every alpha absorbed into its BN. On a model with choices
/// (<c>SearchBuilder.UseSpace</c>) every choice is a decision searched the same way; alpha is absorbed into the final BN of
/// the candidates that end in an affine BN and kept as a constant scale on the others (docs/search-spaces.md,
/// "One-stage on your space").
/// <para>
/// One one-stage search on the <see cref="TrainingLoop"/>: search epochs until every node has frozen, then training
/// epochs of the fixed architecture; the result holds the network with every alpha absorbed into its BNs.
/// </para>
/// </summary>
internal sealed class OneStageRun : StrategyRun
{
    /// <summary>The strategy's name and checkpoint kind.</summary>
    public const string StrategyName = "one-stage";

    private const string SpaceValue = "searchSpace";
    private const string WeightsOptimizer = "w-optimizer";
    private const string LatentOptimizer = "b-optimizer";
    private const string WeightGradients = "w-gradients";
    private static readonly CellType[] Cells = [CellType.Normal, CellType.Reduce];

    private readonly OneStageOptions _o;
    private readonly BatchLoader _loader;
    private readonly CompressedSearchSpace _space;
    private readonly SuperNet _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _bOptimizer;
    private bool _searching;

    /// <summary>The one-stage strategy (<c>SearchBuilder.UseOneStage</c>): this run on the DARTS cell space, <see cref="OneStageChoiceRun"/> on a model with choices.</summary>
    public static IStrategy Strategy(OneStageOptions options) =>
        new BuiltInStrategy<OneStageOptions>(StrategyName, options, "OneStage", Search, OneStageChoiceRun.Search);

    /// <summary>One one-stage search of the DARTS cell space, resumed from <see cref="SearchContext.ResumeFrom"/> if set.</summary>
    public static SearchResult Search(SearchContext context, OneStageOptions options, CancellationToken cancellationToken)
    {
        using var run = new OneStageRun(context, options, context.LoggerFactory.CreateLogger<OneStageRun>());
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }

    public OneStageRun(SearchContext context, OneStageOptions o, ILogger log)
        : base(StrategyName, context, o, log)
    {
        _o = o;
        TrainingData.RequireTwoClasses(context.Train, "training");
        if (context.Train.Count < o.BatchSize)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} images, fewer than one batch of {o.BatchSize}.", nameof(context));
        if (context.SearchSpace.Sparsity != 2)
            throw new ArgumentException(
                $"One-stage search exports a DARTS network, which has exactly 2 inputs per node; SearchSpace.Sparsity is {context.SearchSpace.Sparsity}.", nameof(context));
        if (o.Auxiliary && TrainingData.ImageShape(context.Train) is not (_, 32, 32))
            throw new ArgumentException(
                $"The auxiliary head needs 32x32 images; '{context.Train.Name}' has {string.Join("x", context.Train.SampleShape.Skip(1))}. Disable Auxiliary or pad the images.", nameof(context));

        _loader = SearchLoaders.Loader(context.Train, context, o, 0);
        StepsPerEpoch = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, _loader.BatchesPerEpoch) : _loader.BatchesPerEpoch;
        torch.random.manual_seed(context.Seed);
        _space = new CompressedSearchSpace(context.SearchSpace, SparseCoder.Create(context.SparseCoder), context.Seed, context.Device);
        _net = new SuperNet(SuperNets.Network(context, o, [.. context.SearchSpace.Operations], o.Auxiliary) with
        {
            Affine = true,
            AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip,
        });
        _net.to(context.Device);
        foreach (CellType cell in Cells)
            for (int i = 0; i < _space.Nodes; i++)
                _net.SetCandidateBatchNormTrainable(cell, i, Enumerable.Range(0, _space.CandidateCount(i)), trainable: false);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _bOptimizer = optim.Adam(_space.LatentParameters, o.Architecture.LearningRate, o.Architecture.Beta1, o.Architecture.Beta2, weight_decay: o.Architecture.WeightDecay);
        log.LogInformation(
            "One-stage search on {Dataset} ({Count} images): C={C} L={L} batch {Batch}, {Steps} steps per epoch, epsilon {Epsilon}, " +
            "budget {Budget} M parameters, search cap {Cap}, then {Epochs} training epochs",
            context.Train.Name, context.Train.Count, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epsilon,
            o.ParameterBudgetMillions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no",
            o.MaxSearchEpochs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", o.Epochs);
    }

    protected override int StepsPerEpoch { get; }

    private int SearchEpochs => History.Count(h => h.Phase == TrainingPhase.Search);

    private int TrainEpochs => History.Count(h => h.Phase == TrainingPhase.Train);

    protected override bool ShouldRunEpoch(int epoch) => !AllFrozen() || TrainEpochs < _o.Epochs;

    protected override EpochPlan BeginEpoch(int epoch)
    {
        _searching = !AllFrozen();
        int trained = TrainEpochs, searched = SearchEpochs + (_searching ? 1 : 0);
        double lr = _searching ? _o.LearningRate : CosineSchedule.At(trained, _o.Epochs, _o.LearningRate, _o.LearningRateMin);
        double dropPath = _searching ? 0 : _o.DropPathProbability * trained / _o.Epochs;
        CosineSchedule.Apply(_wOptimizer, lr);
        _net.DropPathProbability = dropPath;
        _net.train();
        // Epochs planned in all: exact once the architecture is fixed; while searching, the cap or a growing lower bound.
        int planned = (_searching ? Math.Max(_o.MaxSearchEpochs ?? searched, searched) : searched) + _o.Epochs;
        return new EpochPlan(_searching ? TrainingPhase.Search : TrainingPhase.Train, lr, dropPath, planned);
    }

    protected override IEpochSteps OpenSteps(int epoch, int firstStep) => new OneStageEpoch(this, _loader.GetEpoch(epoch, firstStep), _searching);

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var clock = Stopwatch.StartNew();
        var changes = _searching ? RecoverAndFreeze(report.Epoch) : new Dictionary<string, double>();
        clock.Stop();
        string[] frozen = FrozenKeys();
        Log.LogInformation("frozen {Frozen}/{Nodes}{NewLine}{Genotype}", frozen.Length, 2 * _space.Nodes, Environment.NewLine, _space.DeriveGenotype());
        return report with
        {
            Genotype = _space.DeriveGenotype(),
            ZChange = changes,
            ZMagnitude = _space.ZMagnitudes(),
            FrozenNodes = frozen,
            RecoveryTime = clock.Elapsed,
        };
    }

    protected override void CheckResume(Checkpoint checkpoint, int completedEpochs)
    {
        int trained = TrainingLoop.ReadHistory(checkpoint).Count(h => h.Phase == TrainingPhase.Train);
        if (trained > _o.Epochs)
            throw new ArgumentException(
                $"The checkpoint '{checkpoint.Path}' has completed {trained} training epochs, more than the {_o.Epochs} asked for; ask for at least as many to continue it.");
    }

    protected override void SaveState(CheckpointWriter writer)
    {
        // With zero-filled gradients, which weights hold one decides which SGD steps: a resumed run must step the same.
        if (_o.StepIdleCandidates) writer.SetValue(WeightGradients, Gradients.Held(_weights));
        writer
            .SetValue(SpaceValue, _space.GetState())
            .AddModule(_net)
            .AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer)
            .AddOptimizer((OptimizerHelper)_bOptimizer, LatentOptimizer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadSearchSpace(SpaceValue, _space);
        checkpoint.LoadModule(_net);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        checkpoint.LoadOptimizer((OptimizerHelper)_bOptimizer, LatentOptimizer);
        foreach (CellType cell in Cells)
            for (int i = 0; i < _space.Nodes; i++)
                if (_space.IsFrozen(cell, i)) _net.SetCandidateBatchNormTrainable(cell, i, _space.Support(cell, i), trainable: true);
        if (_o.StepIdleCandidates && checkpoint.Metadata.TryGetValue(WeightGradients, out int[]? held)) Gradients.Restore(_weights, held!);
    }

    /// <summary>Freezes what is left (a run cancelled while searching), absorbs alpha into the BNs and checks the export.</summary>
    private SearchResult Result(TrainingOutcome outcome)
    {
        for (int k = 0; k < 2 * _space.Nodes; k++) _space.SetFrozen(Cells[k / _space.Nodes], k % _space.Nodes, true);
        EvaluationNetwork exported;
        double absorptionError;
        using (NewDisposeScope())
        using (no_grad())
        {
            _net.SetArchitecture(_space);
            exported = BatchNormAbsorption.Export(_net);
            // Check the export on a real batch: in eval mode both networks must compute the same function.
            using Batch probe = _loader.GetBatch(0, 0);
            _net.eval();
            exported.eval();
            absorptionError = (exported.forward(probe.Images) - _net.forward(probe.Images)).abs().max().item<float>();
        }

        Log.LogInformation("Exported the network of the genotype with alpha absorbed into its BNs ({Params:0.###} M parameters; max logit difference to the super-net {Error:0.###e0}).",
            exported.ParameterCount / 1e6, absorptionError);
        return Result(outcome, _space.DeriveGenotype(), _space.GetState()) with { Architecture = ChoiceArchitectures.OfSpace(_space), Network = exported, AbsorptionMaxError = absorptionError, Metadata = ModelMetadata.FromDataset(Context.Train) };
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _bOptimizer.Dispose();
        _net.Dispose();
        _space.Dispose();
    }

    /// <summary>Recovers the searching nodes and freezes those that converged (<see cref="Freezing"/>).</summary>
    private Dictionary<string, double> RecoverAndFreeze(int epoch)
    {
        RecoveryReport recovery = Freezing.Step(_space, epoch, _o, atCap: _o.MaxSearchEpochs is int cap && SearchEpochs + 1 >= cap,
            () => DerivedParameterMillions(_space.DeriveGenotype()),
            n =>
            {
                _space.SetFrozen(n.Cell, n.Node, true);
                _net.SetCandidateBatchNormTrainable(n.Cell, n.Node, _space.Support(n.Cell, n.Node), trainable: true);
            },
            Log, Warn);
        return recovery.Nodes.ToDictionary(n => NodeKeys.Of(n.Cell, n.Node), n => n.Change);
    }

    /// <summary>Parameters (millions, auxiliary excluded) of the evaluation network a genotype derives, at the run's size.</summary>
    private double DerivedParameterMillions(Genotype genotype)
    {
        using var scope = NewDisposeScope();
        using var network = new EvaluationNetwork(
            new EvaluationNetworkOptions(_net.Options with { Auxiliary = false }) { BatchNormAfterParameterFree = true }, genotype);
        return network.ParameterCount / 1e6;
    }

    private bool AllFrozen() =>
        Enumerable.Range(0, 2 * _space.Nodes).All(k => _space.IsFrozen(Cells[k / _space.Nodes], k % _space.Nodes));

    private string[] FrozenKeys() =>
        [.. Enumerable.Range(0, 2 * _space.Nodes).Where(k => _space.IsFrozen(Cells[k / _space.Nodes], k % _space.Nodes))
                     .Select(k => NodeKeys.Of(Cells[k / _space.Nodes], k % _space.Nodes))];

    /// <summary>
    /// The steps of one epoch: one forward/backward per minibatch updates W (SGD) and, while searching, b (Adam). Once the
    /// architecture is fixed, alpha is a constant computed once per epoch.
    /// </summary>
    private sealed class OneStageEpoch : IEpochSteps
    {
        private readonly OneStageRun _run;
        private readonly IEnumerator<Batch> _batches;
        private readonly bool _searching;
        private readonly DisposeScope? _constantAlphas;

        public OneStageEpoch(OneStageRun run, IEnumerable<Batch> batches, bool searching)
        {
            _run = run;
            _batches = batches.GetEnumerator();
            _searching = searching;
            if (!searching)
            {
                _constantAlphas = NewDisposeScope();
                run._net.SetArchitecture(run._space);
            }
        }

        public void Step(RunningMetrics train, RunningMetrics valid)
        {
            if (!_batches.MoveNext()) throw new InvalidOperationException("The loader ran out of batches before the epoch's last step.");
            using Batch b = _batches.Current;
            OneStageRun r = _run;
            Gradients.Reset(r._weights, r._o.StepIdleCandidates);
            if (_searching)
            {
                Gradients.Clear(r._space.LatentParameters);
                r._net.SetArchitecture(r._space);
            }

            Tensor logits, loss, objective;
            using (NewDisposeScope()) // release the forward's intermediates before backward (see BilevelStep)
            {
                (logits, Tensor? aux) = r._net.ForwardWithAuxiliary(b.Images);
                loss = nn.functional.cross_entropy(logits, b.Labels);
                objective = aux is null ? loss.alias() : loss + (nn.functional.cross_entropy(aux, b.Labels) * r._o.AuxiliaryWeight);
                (logits, loss, objective) = (logits.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), objective.MoveToOuterDisposeScope());
            }

            objective.backward();
            if (r._o.GradClip > 0) nn.utils.clip_grad_norm_(r._weights, r._o.GradClip);
            r._wOptimizer.step();
            if (_searching) r._bOptimizer.step();
            train.Add(loss, logits, b.Labels);
        }

        public void Dispose()
        {
            _batches.Dispose();
            _constantAlphas?.Dispose();
        }
    }
}
