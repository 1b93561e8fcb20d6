using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// The library's one training loop, for a strategy of your own (<see cref="IStrategy"/>): subclass it, supply the hooks,
/// and call <see cref="Run"/> from your strategy's <see cref="IStrategy.Run"/>. The loop owns what the built-in
/// strategies get from it: the training set split into a batch for W and a batch for the architecture per step (seeded,
/// as two-stage and DARTS split it), epochs and steps, <see cref="SearchContext.Progress"/> and
/// <see cref="SearchContext.StepProgress"/> reports, cancellation at the next step, the history, a checkpoint
/// <c>&lt;name&gt;.ckpt</c> in <see cref="TrainingOptions.CheckpointDirectory"/> after every epoch and on cancellation, and
/// bit-exact resume from <see cref="SearchContext.ResumeFrom"/> (at the epoch and step it stopped, with torch's generator).
/// <para>
/// Hooks: <see cref="BeginEpoch"/> (learning rates, training mode), <see cref="Step"/> (one minibatch; call
/// <see cref="BilevelStep"/> or write your own and report its losses with <see cref="AddLoss"/>), <see cref="EndEpoch"/>
/// (the per-epoch work, such as a recovery or pruning), and the checkpoint state: modules and optimisers given to
/// <see cref="RegisterModule"/> and <see cref="RegisterOptimizer"/>, the named tensors of <see cref="StateDict"/> (copied back
/// in place on resume, as PyTorch's <c>load_state_dict</c>) and one JSON-serialisable value (<see cref="StateValue"/>,
/// <see cref="LoadStateValue"/>). Whatever else a step draws at random must come from torch's generator or from (seed,
/// epoch, step), so that a resumed run draws the same. samples/IstaNas.StrategySample writes one.
/// </para>
/// </summary>
public abstract class SearchLoop : IDisposable
{
    private readonly Hooked _run;
    private readonly List<(string Name, nn.Module Module)> _modules = [];
    private readonly List<(string Name, optim.Optimizer Optimizer)> _optimizers = [];
    private Batch? _train;
    private Batch? _valid;
    private RunningMetrics? _trainMetrics;
    private RunningMetrics? _validMetrics;
    private bool _ran;
    private bool _disposed;

    /// <summary>
    /// Validates the options, splits the context's training set (<paramref name="trainPortion"/> for W, the rest for the
    /// architecture) and seeds torch's generator with <see cref="SearchContext.Seed"/>: create the super-net and the
    /// architecture parameters after this constructor's base call for reproducible weights.
    /// </summary>
    /// <param name="name">The strategy's name: the result's <see cref="SearchResult.Strategy"/> and the checkpoint's kind and file name.</param>
    /// <param name="context">Data, device, seed, logging, progress and the checkpoint to resume from.</param>
    /// <param name="options">Epochs, batch size, step cap, learning rates, gradient clip, checkpoint directory (validated here).</param>
    /// <param name="trainPortion">The share of the training set that trains W, in (0, 1).</param>
    /// <exception cref="ArgumentException">The name is not a file name or is a built-in's, the portion is outside (0, 1) or a split has fewer images than a batch.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    protected SearchLoop(string name, SearchContext context, TrainingOptions options, double trainPortion = 0.5)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Trim() != name)
            throw new ArgumentException($"The strategy name '{name}' names the checkpoint file '<name>.ckpt': use letters, digits and dashes.", nameof(name));
        if (name is "two-stage" or "one-stage" or "darts" or RandomRun.StrategyName or "evaluation")
            throw new ArgumentException($"The strategy name '{name}' is a built-in run's checkpoint kind; choose another.", nameof(name));
        if (!(trainPortion > 0 && trainPortion < 1))
            throw new ArgumentOutOfRangeException(nameof(trainPortion), trainPortion, "The share of the training set that trains W must be in (0, 1); the rest trains the architecture.");
        Name = name;
        Context = context;
        Options = OptionsValidation.Validate(options, name);
        Log = context.LoggerFactory.CreateLogger(GetType());
        _run = new Hooked(this, context, Options, trainPortion, Log);
        torch.random.manual_seed(context.Seed);
    }

    /// <summary>The strategy's name.</summary>
    public string Name { get; }

    /// <summary>Steps (minibatch pairs) per epoch: the smaller split's batches, capped by <see cref="TrainingOptions.MaxStepsPerEpoch"/>.</summary>
    public int StepsPerEpoch => _run.Steps;

    /// <summary>Where the checkpoint goes, or null when <see cref="TrainingOptions.CheckpointDirectory"/> is not set.</summary>
    public string? CheckpointPath => _run.CheckpointPath;

    /// <summary>Data, device, seed, logging and progress.</summary>
    protected SearchContext Context { get; }

    /// <summary>The validated options.</summary>
    protected TrainingOptions Options { get; }

    /// <summary>The strategy's logger (from <see cref="SearchContext.LoggerFactory"/>).</summary>
    protected ILogger Log { get; }

    /// <summary>The completed epochs so far (resumed ones included).</summary>
    protected IReadOnlyList<EpochReport> History => _run.Completed;

    /// <summary>0-based epoch of the current step.</summary>
    protected int CurrentEpoch { get; private set; }

    /// <summary>0-based index of the current step in its epoch.</summary>
    protected int CurrentStep { get; private set; }

    /// <summary>Sets up 0-based <paramref name="epoch"/> before its first step (learning rates, training mode).</summary>
    /// <returns>The learning rate of W to report; the default, <see cref="CosineLearningRate"/>, sets nothing.</returns>
    protected virtual double BeginEpoch(int epoch) => CosineLearningRate(epoch);

    /// <summary>
    /// One step on a minibatch for W and one for the architecture (already on <see cref="SearchContext.Device"/>; the loop
    /// disposes them and every tensor the step makes). Report the losses with <see cref="AddLoss"/> (the bilevel step does).
    /// </summary>
    /// <param name="input">The images (or samples) of the batch for W.</param>
    /// <param name="target">Its labels (int64).</param>
    /// <param name="validInput">The images of the batch for the architecture.</param>
    /// <param name="validTarget">Its labels.</param>
    protected abstract void Step(Tensor input, Tensor target, Tensor validInput, Tensor validTarget);

    /// <summary>The per-epoch work after the last step (a recovery, pruning, scoring ...), before the checkpoint is written.</summary>
    /// <param name="report">The epoch's report with the loop's fields (losses, accuracies, learning rate) filled in.</param>
    /// <returns>The report to record, e.g. <c>report with { ZMagnitude = ... }</c>.</returns>
    protected virtual EpochReport EndEpoch(EpochReport report) => report;

    /// <summary>The architecture the run has reached; called by <see cref="Run"/> when the run ends or is cancelled.</summary>
    protected abstract ChoiceArchitecture DeriveArchitecture();

    /// <summary>Named tensors saved in every checkpoint and, on resume, copied back into the same tensors (same names, shapes and types).</summary>
    protected virtual IReadOnlyDictionary<string, Tensor> StateDict() => new Dictionary<string, Tensor>();

    /// <summary>A JSON-serialisable value saved in every checkpoint (<see cref="IO.JsonFormat.Compact"/>); null saves none.</summary>
    protected virtual object? StateValue() => null;

    /// <summary>Restores the value of <see cref="StateValue"/> on resume (called only when the checkpoint holds one).</summary>
    protected virtual void LoadStateValue(JsonElement value)
    {
    }

    /// <summary>Saves <paramref name="module"/>'s parameters and buffers in every checkpoint and loads them on resume; the loop disposes it.</summary>
    /// <exception cref="ArgumentException">The name is already registered.</exception>
    protected void RegisterModule(string name, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        Unique(name, _modules.Select(m => m.Name));
        _modules.Add((name, module));
    }

    /// <summary>Saves <paramref name="optimizer"/>'s state (momentum, Adam moments) in every checkpoint and loads it on resume; the loop disposes it.</summary>
    /// <exception cref="ArgumentException">The name is already registered.</exception>
    protected void RegisterOptimizer(string name, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Unique(name, _optimizers.Select(m => m.Name));
        _optimizers.Add((name, optimizer));
    }

    /// <summary>Logs a condition the user should know about that does not stop the run; the result's <see cref="SearchResult.Warnings"/> lists it.</summary>
    protected void Warn(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        _run.AddWarning(message);
    }

    /// <summary>The learning rate of W in 0-based <paramref name="epoch"/> by the options' cosine schedule (PyTorch's CosineAnnealingLR).</summary>
    protected double CosineLearningRate(int epoch) => CosineSchedule.At(epoch, Options.Epochs, Options.LearningRate, Options.LearningRateMin);

    /// <summary>Adds a batch's mean loss and logits to the epoch's training metrics (or, with <paramref name="validation"/>, the architecture batch's).</summary>
    /// <exception cref="InvalidOperationException">Called outside <see cref="Step"/>.</exception>
    protected void AddLoss(Tensor loss, Tensor logits, bool validation = false)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(logits);
        (Batch? batch, RunningMetrics? metrics) = validation ? (_valid, _validMetrics) : (_train, _trainMetrics);
        if (batch is null || metrics is null) throw new InvalidOperationException("AddLoss reports a step's losses: call it from Step.");
        metrics.Add(loss, logits, batch.Labels);
    }

    /// <summary>
    /// The first-order bilevel step of two-stage ISTA-NAS and DARTS on this step's batches: an architecture step (Adam,
    /// W frozen) on the batch for the architecture, then a weight step (SGD, gradient norm clipped at
    /// <see cref="TrainingOptions.GradClip"/>) on the batch for W; both losses are reported.
    /// </summary>
    /// <param name="net">The super-net.</param>
    /// <param name="setArchitecture">Hands the current architecture weights to <paramref name="net"/> (<see cref="ISuperNet.SetWeights"/>); called before each forward.</param>
    /// <param name="architecture">The architecture parameters.</param>
    /// <param name="architectureOptimizer">Their optimiser.</param>
    /// <param name="weights">The network weights W (<see cref="ISuperNet.WeightParameters"/>).</param>
    /// <param name="weightsOptimizer">Their optimiser.</param>
    /// <param name="clipArchitecture">Count the architecture's gradient in the clip, as the authors' two-stage <c>clip_grad_norm_(model.parameters(), 5)</c>.</param>
    /// <exception cref="InvalidOperationException">Called outside <see cref="Step"/>.</exception>
    protected void BilevelStep(ISuperNet net, Action setArchitecture, IReadOnlyList<Parameter> architecture, optim.Optimizer architectureOptimizer,
        IReadOnlyList<Parameter> weights, optim.Optimizer weightsOptimizer, bool clipArchitecture = false)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(setArchitecture);
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(architectureOptimizer);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(weightsOptimizer);
        if (_train is null || _valid is null || _trainMetrics is null || _validMetrics is null)
            throw new InvalidOperationException("BilevelStep runs on a step's batches: call it from Step.");
        Strategies.BilevelStep.Run(net, setArchitecture, architecture, architectureOptimizer, weights, weightsOptimizer, Options.GradClip,
            clipArchitecture, zeroFillWeights: false, _valid, _train, _validMetrics, _trainMetrics);
    }

    /// <summary>Runs the epochs, or continues the checkpoint of <see cref="SearchContext.ResumeFrom"/>; call it once.</summary>
    /// <param name="cancellationToken">Stops at the next step; the checkpoint is written when a directory is set.</param>
    /// <returns>The architecture of <see cref="DeriveArchitecture"/>, the history, and how the run ended.</returns>
    /// <exception cref="CheckpointException">The checkpoint is unreadable, of another strategy or run, or its state does not fit.</exception>
    /// <exception cref="InvalidOperationException">The loop already ran.</exception>
    public SearchResult Run(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ran) throw new InvalidOperationException($"The loop of '{Name}' already ran; create a new one to run again.");
        _ran = true;
        TrainingOutcome outcome = _run.Run(Context.ResumeFrom, cancellationToken);
        return new SearchResult
        {
            Strategy = Name,
            Architecture = DeriveArchitecture(),
            History = outcome.History,
            Cancelled = outcome.Cancelled,
            Elapsed = outcome.Elapsed,
            Warnings = [.. _run.Warnings],
            CheckpointPath = outcome.CheckpointPath,
        };
    }

    /// <summary>Disposes the registered optimisers and modules.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the registered optimisers and modules; override to dispose more (call the base).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach ((_, optim.Optimizer o) in _optimizers) o.Dispose();
        foreach ((_, nn.Module m) in _modules) m.Dispose();
    }

    private static void Unique(string name, IEnumerable<string> names)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (names.Contains(name, StringComparer.Ordinal)) throw new ArgumentException($"'{name}' is already registered.", nameof(name));
    }

    /// <summary>The loop's run: <see cref="StrategyRun"/> with every hook forwarded to the loop.</summary>
    private sealed class Hooked : StrategyRun
    {
        private const string ValueName = "strategyState";
        private const string TensorsSection = "strategy-tensors";

        private readonly SearchLoop _loop;
        private readonly BatchLoader _trainLoader;
        private readonly BatchLoader _validLoader;

        public Hooked(SearchLoop loop, SearchContext context, TrainingOptions o, double trainPortion, ILogger log)
            : base(loop.Name, context, o, log)
        {
            _loop = loop;
            (_trainLoader, _validLoader, Steps) = SearchLoaders.BilevelLoaders(context, o, trainPortion, "the architecture");
        }

        public int Steps { get; }

        public IReadOnlyList<EpochReport> Completed => History;

        public void AddWarning(string message) => Warn(message);

        protected override int StepsPerEpoch => Steps;

        protected override bool ShouldRunEpoch(int epoch) => epoch < SearchOptions.Epochs;

        protected override EpochPlan BeginEpoch(int epoch) => new(TrainingPhase.Search, _loop.BeginEpoch(epoch), 0, SearchOptions.Epochs);

        protected override IEpochSteps OpenSteps(int epoch, int firstStep)
        {
            int step = firstStep;
            return new BilevelEpoch(_trainLoader.GetEpoch(epoch, firstStep), _validLoader.GetEpoch(epoch, firstStep),
                (train, valid, trainMetrics, validMetrics) => _loop.RunStep(epoch, step++, train, valid, trainMetrics, validMetrics));
        }

        protected override EpochReport FinishEpoch(EpochReport report) => _loop.EndEpoch(report);

        protected override void SaveState(CheckpointWriter writer)
        {
            foreach ((string name, nn.Module module) in _loop._modules) writer.AddModule(module, "module/" + name);
            foreach ((string name, optim.Optimizer optimizer) in _loop._optimizers) writer.AddOptimizer((OptimizerHelper)optimizer, "optimizer/" + name);
            IReadOnlyDictionary<string, Tensor> tensors = _loop.StateDict();
            if (tensors.Count > 0) writer.AddSection(TensorsSection, NamedTensors.Write(tensors));
            if (_loop.StateValue() is object value) writer.SetValue(ValueName, JsonSerializer.SerializeToElement(value, value.GetType(), IO.JsonFormat.Compact));
        }

        protected override void LoadState(Checkpoint checkpoint)
        {
            foreach ((string name, nn.Module module) in _loop._modules) checkpoint.LoadModule(module, "module/" + name);
            foreach ((string name, optim.Optimizer optimizer) in _loop._optimizers) checkpoint.LoadOptimizer((OptimizerHelper)optimizer, "optimizer/" + name);
            IReadOnlyDictionary<string, Tensor> tensors = _loop.StateDict();
            if (tensors.Count > 0) NamedTensors.Read(checkpoint, TensorsSection, tensors);
            if (checkpoint.Metadata.Values.TryGetValue(ValueName, out JsonElement value))
            {
                try
                {
                    _loop.LoadStateValue(value);
                }
                catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new CheckpointException(checkpoint.Path, $"the state value of '{_loop.Name}' does not load: {ex.Message}", ex);
                }
            }
        }

        public override void Dispose()
        {
        }
    }

    private void RunStep(int epoch, int step, Batch train, Batch valid, RunningMetrics trainMetrics, RunningMetrics validMetrics)
    {
        (CurrentEpoch, CurrentStep) = (epoch, step);
        (_train, _valid, _trainMetrics, _validMetrics) = (train, valid, trainMetrics, validMetrics);
        try
        {
            Step(train.Images, train.Labels, valid.Images, valid.Labels);
        }
        finally
        {
            (_train, _valid, _trainMetrics, _validMetrics) = (null, null, null, null);
        }
    }
}
