using System.Diagnostics;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
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
/// "One-stage on your space"). What differs between the two spaces is a <see cref="OneStageSpace"/>
/// (<see cref="OneStageCellSpace"/>, <see cref="OneStageChoiceSpace"/>).
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
    private const string LatentOptimizer = "b-optimizer";

    private readonly OneStageOptions _o;
    private readonly BatchLoader _loader;
    private readonly OneStageSpace _target;
    private readonly CompressedSearchSpace _space;
    private readonly ISuperNet _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _bOptimizer;
    private bool _searching;

    /// <summary>The one-stage strategy (<c>SearchBuilder.UseOneStage</c>): this run, on the DARTS cell space or a model with choices.</summary>
    public static IStrategy Strategy(OneStageOptions options) => new BuiltInStrategy<OneStageOptions>(StrategyName, options, "OneStage", Search);

    /// <summary>One one-stage search of the context's space, resumed from <see cref="SearchContext.ResumeFrom"/> if set.</summary>
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
                $"The training set '{context.Train.Name}' has {context.Train.Count} {(context.HasChoiceSpace ? "samples" : "images")}, fewer than one batch of {o.BatchSize}.", nameof(context));
        if (!context.HasChoiceSpace) OneStageCellSpace.Check(context, o);

        _loader = SearchLoaders.Loader(context.Train, context, o, 0);
        StepsPerEpoch = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, _loader.BatchesPerEpoch) : _loader.BatchesPerEpoch;
        torch.random.manual_seed(context.Seed);
        _target = context.HasChoiceSpace ? new OneStageChoiceSpace(context) : new OneStageCellSpace(context, o);
        (_space, _net) = (_target.Space, _target.Net);
        SpaceDecisions = _target.FingerprintDecisions;
        for (int k = 0; k < _space.Decisions.Count; k++)
            _target.SetTrainable(k, Enumerable.Range(0, _space.Decisions[k].Count), trainable: false);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _bOptimizer = optim.Adam(_space.LatentParameters, o.Architecture.LearningRate, o.Architecture.Beta1, o.Architecture.Beta2, weight_decay: o.Architecture.WeightDecay);
        _target.LogStart(log, context, o, StepsPerEpoch);
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
        CosineSchedule.Apply(_wOptimizer, lr);
        double dropPath = _target.SetDropPath(_searching ? 0 : _o.DropPathProbability * trained / _o.Epochs);
        _net.Module.train();
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
        _target.LogFrozen(Log, frozen.Length);
        return report with
        {
            Genotype = _target.Genotype ?? report.Genotype,
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
        SaveHeldGradients(writer, _weights, _o.StepIdleCandidates);
        writer
            .SetValue(SpaceValue, _space.GetState()) // A, b, z, supports and the frozen flags
            .AddModule(_net.Module)
            .AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer)
            .AddOptimizer((OptimizerHelper)_bOptimizer, LatentOptimizer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadSearchSpace(SpaceValue, _space);
        checkpoint.LoadModule(_net.Module);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        checkpoint.LoadOptimizer((OptimizerHelper)_bOptimizer, LatentOptimizer);
        for (int k = 0; k < _space.Decisions.Count; k++)
            if (_space.IsFrozen(k)) _target.SetTrainable(k, _space.Support(k), trainable: true);
        RestoreHeldGradients(checkpoint, _weights, _o.StepIdleCandidates);
    }

    /// <summary>Freezes what is left (a run cancelled while searching) and exports the network with alpha absorbed, checked against the super-net.</summary>
    private SearchResult Result(TrainingOutcome outcome)
    {
        for (int k = 0; k < _space.Decisions.Count; k++) _space.SetFrozen(k, true);
        return _target.Export(Result(outcome, _target.Genotype, _space.GetState()), () => _loader.GetBatch(0, 0), Context, Log);
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _bOptimizer.Dispose();
        _target.Dispose();
    }

    /// <summary>Recovers the searching decisions and freezes those that converged (<see cref="Freezing"/>).</summary>
    private Dictionary<string, double> RecoverAndFreeze(int epoch)
    {
        RecoveryReport recovery = Freezing.Step(_space, epoch, _o, atCap: _o.MaxSearchEpochs is int cap && SearchEpochs + 1 >= cap,
            _target.DerivedParameterMillions, n => Freeze(DecisionOf(n.Key)), Log, Warn);
        return recovery.Nodes.ToDictionary(n => n.Key, n => n.Change);
    }

    /// <summary>A decision's freeze: its b stops, its alpha becomes a constant and the BNs of its selected candidates start training.</summary>
    private void Freeze(int decision)
    {
        _space.SetFrozen(decision, true);
        _target.SetTrainable(decision, _space.Support(decision), trainable: true);
        _target.LogFreeze(Log, decision);
    }

    private int DecisionOf(string key)
    {
        for (int k = 0; k < _space.Decisions.Count; k++)
            if (_space.Decisions[k].Key == key) return k;
        throw new InvalidOperationException($"The recovery reported '{key}', which is no decision of the space.");
    }

    private bool AllFrozen() => Enumerable.Range(0, _space.Decisions.Count).All(_space.IsFrozen);

    private string[] FrozenKeys() => [.. Enumerable.Range(0, _space.Decisions.Count).Where(_space.IsFrozen).Select(k => _space.Decisions[k].Key)];

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
                run._net.SetWeights(run._space.ArchitectureWeights());
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
                r._net.SetWeights(r._space.ArchitectureWeights());
            }

            (Tensor logits, Tensor loss, Tensor objective) = r._target.Forward(b, r._o.AuxiliaryWeight);
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
