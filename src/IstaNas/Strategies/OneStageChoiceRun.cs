using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Choices;
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
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage ISTA-NAS on a model with choices, as <see cref="OneStageRun"/> on the DARTS cell: one forward/backward per
/// minibatch of the whole training set updates b (Adam) and W (SGD); after every search epoch the searching decisions
/// are recovered and frozen by <see cref="Freezing"/>; then the fixed architecture trains under a cosine schedule. The
/// result holds a fresh model of the space with the trained weights, fixed to the picks, alpha absorbed into the final
/// BN of the picks that end in one and kept as a constant scale on the others (<see cref="OneStageCandidates"/>).
/// </summary>
internal sealed class OneStageChoiceRun : StrategyRun
{
    private const string SpaceValue = "searchSpace";
    private const string WeightsOptimizer = "w-optimizer";
    private const string LatentOptimizer = "b-optimizer";
    private const string WeightGradients = "w-gradients";

    private readonly OneStageOptions _o;
    private readonly BatchLoader _loader;
    private readonly ChoiceSuperNet _net;
    private readonly CompressedSearchSpace _space;
    private readonly OneStageCandidates _candidates;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _bOptimizer;
    private bool _searching;

    /// <summary>One one-stage search of a model's choices, resumed from <see cref="SearchContext.ResumeFrom"/> if set.</summary>
    public static SearchResult Search(SearchContext context, OneStageOptions options, CancellationToken cancellationToken)
    {
        using var run = new OneStageChoiceRun(context, options, context.LoggerFactory.CreateLogger<OneStageChoiceRun>());
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }

    public OneStageChoiceRun(SearchContext context, OneStageOptions o, ILogger log)
        : base(OneStageRun.StrategyName, context, o, log)
    {
        _o = o;
        TrainingData.RequireTwoClasses(context.Train, "training");
        if (context.Train.Count < o.BatchSize)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} samples, fewer than one batch of {o.BatchSize}.", nameof(context));
        _loader = SearchLoaders.Loader(context.Train, context, o, 0);
        StepsPerEpoch = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, _loader.BatchesPerEpoch) : _loader.BatchesPerEpoch;
        torch.random.manual_seed(context.Seed);
        _net = SuperNets.ChoiceNetwork(context);
        try
        {
            _space = CompressedSearchSpace.ForDecisions(SuperNets.CompressedDecisions(_net.Decisions, context.SearchSpace), context.SearchSpace,
                SparseCoder.Create(context.SparseCoder), context.Seed, context.Device);
        }
        catch
        {
            _net.Dispose();
            throw;
        }
        SpaceDecisions = _space.Decisions;
        _net.to(context.Device);
        _candidates = new OneStageCandidates(_space.Decisions, _net.Choices);
        for (int k = 0; k < _space.Decisions.Count; k++)
            _candidates.SetTrainable(k, Enumerable.Range(0, _space.Decisions[k].Count), trainable: false);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _bOptimizer = optim.Adam(_space.LatentParameters, o.Architecture.LearningRate, o.Architecture.Beta1, o.Architecture.Beta2, weight_decay: o.Architecture.WeightDecay);
        log.LogInformation(
            "One-stage search of {Choices} choices on {Dataset} ({Count} samples): batch {Batch}, {Steps} steps per epoch, epsilon {Epsilon}, " +
            "budget {Budget} M parameters, search cap {Cap}, then {Epochs} training epochs; {Decisions}",
            _space.Decisions.Count, context.Train.Name, context.Train.Count, o.BatchSize, StepsPerEpoch, o.Epsilon,
            o.ParameterBudgetMillions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no",
            o.MaxSearchEpochs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", o.Epochs, SuperNets.Describe(_space.Decisions));
        if (o.Auxiliary || o.DropPathProbability > 0)
            log.LogInformation("The auxiliary head and drop path belong to the DARTS cell network; a model of your own trains as it is built (they are not used).");
        foreach (string line in _candidates.Describe()) log.LogInformation("One-stage {Line}", line);
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
        _net.train();
        int planned = (_searching ? Math.Max(_o.MaxSearchEpochs ?? searched, searched) : searched) + _o.Epochs;
        return new EpochPlan(_searching ? TrainingPhase.Search : TrainingPhase.Train, lr, 0, planned);
    }

    protected override IEpochSteps OpenSteps(int epoch, int firstStep) => new Steps(this, _loader.GetEpoch(epoch, firstStep), _searching);

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var clock = Stopwatch.StartNew();
        var changes = new Dictionary<string, double>();
        if (_searching)
        {
            RecoveryReport recovery = Freezing.Step(_space, report.Epoch, _o, atCap: _o.MaxSearchEpochs is int cap && SearchEpochs + 1 >= cap,
                DerivedParameterMillions, n => Freeze(n.Node), Log, Warn);
            changes = recovery.Nodes.ToDictionary(n => n.Key, n => n.Change);
        }
        clock.Stop();
        string[] frozen = FrozenKeys();
        Log.LogInformation("frozen {Frozen}/{Decisions}{NewLine}{Architecture}", frozen.Length, _space.Decisions.Count, Environment.NewLine, ChoiceArchitectures.OfSpace(_space));
        return report with { ZChange = changes, ZMagnitude = _space.ZMagnitudes(), FrozenNodes = frozen, RecoveryTime = clock.Elapsed };
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
            .SetValue(SpaceValue, _space.GetState()) // A, b, z, supports and the frozen flags
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
        for (int k = 0; k < _space.Decisions.Count; k++)
            if (_space.IsFrozen(k)) _candidates.SetTrainable(k, _space.Support(k), trainable: true);
        if (_o.StepIdleCandidates && checkpoint.Metadata.TryGetValue(WeightGradients, out int[]? held)) Gradients.Restore(_weights, held!);
    }

    /// <summary>
    /// Freezes what is left (a run cancelled while searching) and builds the result's model: a fresh model of the space
    /// with the trained weights, fixed to the picks with alpha absorbed or kept as a scale, checked against the super-net.
    /// </summary>
    private SearchResult Result(TrainingOutcome outcome)
    {
        for (int k = 0; k < _space.Decisions.Count; k++) _space.SetFrozen(k, true);
        nn.Module<Tensor, Tensor> model = Context.Space!() ?? throw new InvalidOperationException("The space's model factory returned null.");
        double error;
        IReadOnlyList<NodeWeights> alphas;
        try
        {
            model.to(Context.Device);
            using (NewDisposeScope())
            using (no_grad())
            {
                alphas = _space.ArchitectureWeights();
                _net.SetWeights(alphas);
                Dictionary<string, string> searched = FixedModel.Layout(_net.Model), built = FixedModel.Layout(model);
                string? differs = searched.Keys.Concat(built.Keys).FirstOrDefault(k => searched.GetValueOrDefault(k) != built.GetValueOrDefault(k));
                if (differs is not null)
                    throw new InvalidOperationException(
                        $"The space's factory built a model ({model.GetType().Name}) whose parameters and buffers differ from the searched one's, so the trained " +
                        $"weights do not fit it: '{differs}' is {searched.GetValueOrDefault(differs) ?? "absent"} in the searched model and {built.GetValueOrDefault(differs) ?? "absent"} " +
                        "in the new one. The factory must build the same model every time (SearchBuilder.UseSpace).");
                model.load_state_dict(_net.Model.state_dict());
                _candidates.AbsorbAndFix(model, alphas);
                // Check the fixed model on a real batch: in eval mode both compute the same function.
                using Batch probe = _loader.GetBatch(0, 0);
                _net.eval();
                model.eval();
                error = (model.call(probe.Images) - _net.forward(probe.Images)).abs().max().item<float>();
                alphas = [.. alphas.Select(a => new NodeWeights(a.Candidates, a.Weights.detach().cpu().clone().DetachFromDisposeScope()))];
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        ChoiceArchitecture architecture = AlphaArchitecture(alphas);
        foreach (NodeWeights a in alphas) a.Weights.Dispose();
        Log.LogInformation("The fixed model of the architecture ({Params:0.###} M parameters that run; max output difference to the super-net {Error:0.###e0}).",
            FixedModel.ParameterCount(model) / 1e6, error);
        return Result(outcome, null, _space.GetState()) with
        {
            Architecture = architecture,
            Model = model,
            AbsorptionMaxError = error,
            Metadata = ModelMetadata.FromDataset(Context.Train) with { InputShape = [.. Context.Train.SampleShape] },
        };
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _bOptimizer.Dispose();
        _net.Dispose();
        _space.Dispose();
    }

    /// <summary>Per decision its picks (ascending) scored by their frozen alpha.</summary>
    private ChoiceArchitecture AlphaArchitecture(IReadOnlyList<NodeWeights> alphas) =>
        new(_space.Decisions.Select((d, k) =>
        {
            float[] alpha = alphas[k].Weights.data<float>().ToArray();
            int[] picks = [.. alphas[k].Candidates.Order()];
            return new ArchitectureChoice(d.Key, picks, [.. picks.Select(j => (double)alpha[Array.IndexOf(alphas[k].Candidates, j)])]);
        }), "alpha");

    private void Freeze(int decision)
    {
        _space.SetFrozen(decision, true);
        _candidates.SetTrainable(decision, _space.Support(decision), trainable: true);
        Log.LogInformation("Froze choice '{Choice}' at [{Picks}].", _space.Decisions[decision].Key, string.Join(", ", _space.Support(decision).Order()));
    }

    /// <summary>Parameters (millions) of the model fixed to the current picks: those of the model less those of the candidates not picked.</summary>
    private double DerivedParameterMillions()
    {
        IReadOnlyDictionary<string, int[]> picks = _space.Picks();
        var idle = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (Choice choice in _net.Choices)
            for (int j = 0; j < choice.Count; j++)
                if (!picks[choice.Name].Contains(j)) idle.UnionWith(choice.Candidate(j).parameters());
        return _net.Model.parameters().Where(p => !idle.Contains(p)).Sum(p => p.numel()) / 1e6;
    }

    private bool AllFrozen() => Enumerable.Range(0, _space.Decisions.Count).All(_space.IsFrozen);

    private string[] FrozenKeys() => [.. Enumerable.Range(0, _space.Decisions.Count).Where(_space.IsFrozen).Select(k => _space.Decisions[k].Key)];

    /// <summary>One forward/backward per minibatch updates W and, while searching, b; once everything froze alpha is set once per epoch.</summary>
    private sealed class Steps : IEpochSteps
    {
        private readonly OneStageChoiceRun _run;
        private readonly IEnumerator<Batch> _batches;
        private readonly bool _searching;
        private readonly DisposeScope? _constantAlphas;

        public Steps(OneStageChoiceRun run, IEnumerable<Batch> batches, bool searching)
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
            OneStageChoiceRun r = _run;
            Gradients.Reset(r._weights, r._o.StepIdleCandidates);
            if (_searching)
            {
                Gradients.Clear(r._space.LatentParameters);
                r._net.SetWeights(r._space.ArchitectureWeights());
            }

            (Tensor logits, Tensor loss) = BilevelStep.ForwardReleasingIntermediates(r._net, b);
            loss.backward();
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
