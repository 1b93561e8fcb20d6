using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.IO;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using IstaNas.Training;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace IstaNas;

/// <summary>
/// Fluent set-up of a search: data, search space, recovery, strategy, device, seed, logging.
/// <code>
/// var result = new SearchBuilder()
///     .UseSyntheticDataset(count: 2000)
///     .ConfigureSearchSpace(s => s.ProjectionDims = 7)
///     .UseTwoStage(o => { o.Epochs = 10; o.Channels = 8; o.Layers = 5; })
///     .UseSeed(1)
///     .Build()
///     .Run();
/// Console.WriteLine(result.Genotype);
/// </code>
/// Every options object starts from the defaults, or from the values bound by dependency injection
/// (<c>services.AddIstaNas(configuration)</c>), or from a checkpoint (<see cref="ContinueFrom"/>); a <c>Configure…</c> or
/// <c>Use…</c> call changes only what it sets, never resets the rest.
/// </summary>
public sealed class SearchBuilder
{
    private Func<LabelledDataset>? _data;
    private readonly SearchSpaceOptions _searchSpace = new();
    private IReadOnlyList<Decision>? _checkpointChoices;
    private readonly SparseCoderOptions _sparseCoder = new();
    private readonly TwoStageOptions _twoStage = new();
    private readonly OneStageOptions _oneStage = new();
    private readonly DartsOptions _darts = new();
    private readonly RandomOptions _random = new();
    private Func<IStrategy>? _strategy;
    private Func<nn.Module<Tensor, Tensor>>? _space;
    private Func<int, nn.Module<Tensor, Tensor>>? _spaceForClasses;
    private Device _device = CPU;
    private long _seed;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IProgress<EpochReport>? _progress;
    private IProgress<StepReport>? _stepProgress;
    private string? _resumeFrom;
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal);

    /// <summary>Starts with the authors' defaults (two-stage search, m = 7, s = 2, lambda = 1e-5).</summary>
    public SearchBuilder()
    {
    }

    /// <summary>Starts with the authors' defaults and logs to <paramref name="loggerFactory"/>.</summary>
    /// <param name="loggerFactory">Where the search logs.</param>
    public SearchBuilder(ILoggerFactory loggerFactory) => UseLogging(loggerFactory);

    /// <summary>
    /// Searches on a data set (the strategies split it into their training and validation parts). A search takes no test
    /// set: it never looks at the images its genotype is later tested on (see <c>EvaluationTrainer.Train(train, test)</c>).
    /// </summary>
    public SearchBuilder UseDataset(LabelledDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        _data = () => train;
        return this;
    }

    /// <summary>
    /// Searches on samples held as tensors: <paramref name="x"/> [N, …] (1-D signals [N, C, T], tabular rows [N, F],
    /// float images [N, C, H, W]) with integer labels <paramref name="y"/> [N], through <see cref="TensorDataset.From"/>
    /// (used as given: no normalisation, no augmentation). The tensors are copied now, so they may be disposed after this
    /// call. As with every data set, a search takes no test set: test the found architecture with the evaluation trainer.
    /// </summary>
    /// <param name="x">Samples, floating point [N, …].</param>
    /// <param name="y">Labels, integers [N] in [0, classes).</param>
    /// <param name="classCount">The number of classes; null: the largest label plus one.</param>
    /// <exception cref="ArgumentException">A tensor is invalid (see <see cref="TensorDataset.From"/>).</exception>
    public SearchBuilder UseTensors(Tensor x, Tensor y, int? classCount = null)
    {
        TensorDataset train = TensorDataset.From(x, y, "train", classCount);
        _data = () => train;
        return this;
    }

    /// <summary>
    /// Searches on the built-in synthetic image set (10 classes of 32×32 colour images, see
    /// <see cref="ImageDataset.CreateSynthetic"/>), generated from <paramref name="seed"/>. For another shape, pass
    /// <see cref="ImageDataset.CreateSynthetic"/> to <see cref="UseDataset(LabelledDataset)"/>.
    /// </summary>
    /// <param name="count">Number of images, at least 2.</param>
    /// <param name="seed">The data's seed (not the search's: see <see cref="UseSeed"/>).</param>
    public SearchBuilder UseSyntheticDataset(int count = 2000, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        _data = () => Synthetic.Create(count, seed);
        return this;
    }

    /// <summary>
    /// Searches on a data set that <paramref name="load"/> reads at <see cref="Build"/>, given the builder's logging (so
    /// a reader can warn about what it skips). Reading happens at <see cref="Build"/>, not now, so a missing file is
    /// reported there; the file-format readers of the IstaNas.Formats package (<c>UseCifar10</c>, <c>UseImageFolder</c>, …)
    /// are built on this.
    /// </summary>
    /// <param name="load">Reads the training set; called once per <see cref="Build"/>.</param>
    /// <returns>This builder.</returns>
    public SearchBuilder UseDataset(Func<ILoggerFactory, LabelledDataset> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        _data = () => load(_loggerFactory) ?? throw new InvalidOperationException("The data set loader given to UseDataset returned null.");
        return this;
    }

    /// <summary>
    /// Searches your own model instead of the DARTS cell: any <c>Module&lt;Tensor, Tensor&gt;</c> that holds
    /// <see cref="Choices.Choice"/> modules is a search space, one decision per choice name (found in <c>named_modules()</c>
    /// order; choices of one name marked <see cref="Choices.Choice.Shared"/> are one decision). <paramref name="factory"/> is called for every network the search needs (once to check the space at
    /// <see cref="Build"/>, once per run), so it must build the same model each time. ISTA-NAS gives every choice of K
    /// candidates its own compressed space with m = min(<see cref="SearchSpaceOptions.ProjectionDims"/>, K - 1), or
    /// <see cref="SearchSpaceOptions.ProjectionDimsByChoice"/>'s entry; the result's <see cref="SearchResult.Architecture"/>
    /// holds the picks and <see cref="Choices.Architecture.Fix"/> turns a fresh model into the searched network. Two-stage
    /// ISTA-NAS, one-stage ISTA-NAS (the result's <see cref="SearchResult.Model"/> is the trained fixed model), DARTS
    /// (softmax over the K of every choice), random (a seeded draw, or weight sharing) and strategies of your own
    /// (<see cref="UseStrategy"/>) search such a model.
    /// </summary>
    /// <param name="factory">Builds the model with choices.</param>
    /// <returns>This builder.</returns>
    public SearchBuilder UseSpace(Func<nn.Module<Tensor, Tensor>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _space = factory;
        _spaceForClasses = null;
        return this;
    }

    /// <summary>
    /// As <see cref="UseSpace(Func{nn.Module{Tensor, Tensor}})"/>, with a factory that is given the training set's class
    /// count (known once the data is loaded at <see cref="Build"/>), for spaces whose classifier is sized by it.
    /// </summary>
    /// <param name="factory">Builds the model with choices for the given number of classes.</param>
    /// <returns>This builder.</returns>
    public SearchBuilder UseSpace(Func<int, nn.Module<Tensor, Tensor>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _spaceForClasses = factory;
        _space = null;
        return this;
    }

    /// <summary>Shapes the compressed search space (nodes, operations, m, s, matrix kind).</summary>
    public SearchBuilder ConfigureSearchSpace(Action<SearchSpaceOptions> configure) => Configure(_searchSpace, configure);

    /// <summary>Sets the sparse-coding recovery (lambda, method, tolerance, iteration cap).</summary>
    public SearchBuilder ConfigureSparseCoder(Action<SparseCoderOptions> configure) => Configure(_sparseCoder, configure);

    /// <summary>Changes the two-stage options without choosing the strategy.</summary>
    public SearchBuilder ConfigureTwoStage(Action<TwoStageOptions> configure) => Configure(_twoStage, configure);

    /// <summary>Changes the one-stage options without choosing the strategy.</summary>
    public SearchBuilder ConfigureOneStage(Action<OneStageOptions> configure) => Configure(_oneStage, configure);

    /// <summary>Changes the DARTS options without choosing the strategy.</summary>
    public SearchBuilder ConfigureDarts(Action<DartsOptions> configure) => Configure(_darts, configure);

    /// <summary>Changes the random baseline's options without choosing the strategy.</summary>
    public SearchBuilder ConfigureRandom(Action<RandomOptions> configure) => Configure(_random, configure);

    /// <summary>Two-stage ISTA-NAS (the default), with the options configured so far, then <paramref name="configure"/>.</summary>
    public SearchBuilder UseTwoStage(Action<TwoStageOptions>? configure = null) => Use(_twoStage, configure, TwoStageRun.Strategy);

    /// <summary>One-stage ISTA-NAS: search and train the target network in one run, then absorb alpha into the BNs.</summary>
    public SearchBuilder UseOneStage(Action<OneStageOptions>? configure = null) => Use(_oneStage, configure, OneStageRun.Strategy);

    /// <summary>The first-order DARTS baseline (dense super-net with <c>none</c> and softmax weights).</summary>
    public SearchBuilder UseDarts(Action<DartsOptions>? configure = null) => Use(_darts, configure, DartsRun.Strategy);

    /// <summary>The random baseline: a seeded uniform draw of the space's sparsity, or with <see cref="RandomOptions.WeightSharing"/> random search with weight sharing.</summary>
    public SearchBuilder UseRandom(Action<RandomOptions>? configure = null) => Use(_random, configure, RandomRun.Strategy);

    /// <summary>Runs a strategy of your own (see <see cref="IStrategy"/>; samples/IstaNas.StrategySample writes one).</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>This builder.</returns>
    public SearchBuilder UseStrategy(IStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        _strategy = () => strategy;
        return this;
    }

    /// <summary>Where tensors live, e.g. <c>torch.CPU</c> or <c>torch.CUDA</c>.</summary>
    /// <exception cref="ArgumentException">LibTorch cannot train on the device here (CUDA not available; a device such as meta).</exception>
    public SearchBuilder UseDevice(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        TrainingDevice.Check(device, nameof(device));
        _device = device;
        return this;
    }

    /// <summary>Where tensors live, by name: "cpu", "cuda", "cuda:1".</summary>
    /// <exception cref="ArgumentException">The name is not a device, or LibTorch cannot train on it here (CUDA not available; a device such as meta).</exception>
    public SearchBuilder UseDevice(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        if (device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !cuda.is_available())
            throw new ArgumentException(
                $"Device '{device}' needs CUDA, which this process does not have: reference TorchSharp-cuda-linux or -windows (build with -p:TorchBackend=cuda-linux) on a machine with an NVIDIA GPU.",
                nameof(device));
        Device parsed;
        try
        {
            parsed = new Device(device);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"'{device}' is not a device name (use cpu, cuda or cuda:N).", nameof(device), ex);
        }

        TrainingDevice.Check(parsed, nameof(device));
        _device = parsed;
        return this;
    }

    /// <summary>Seed of everything random.</summary>
    public SearchBuilder UseSeed(long seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>Where the search logs.</summary>
    public SearchBuilder UseLogging(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Receives a report after every epoch.</summary>
    public SearchBuilder WithProgress(IProgress<EpochReport> progress)
    {
        _progress = progress;
        return this;
    }

    /// <summary>Receives a report every few steps.</summary>
    public SearchBuilder WithStepProgress(IProgress<StepReport> progress)
    {
        _stepProgress = progress;
        return this;
    }

    /// <summary>Stores a free-form value in every checkpoint of the run (read it back with <see cref="CheckpointInfo.Read"/>).</summary>
    public SearchBuilder Annotate(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _annotations[key] = value;
        return this;
    }

    /// <summary>Continues the run saved in a checkpoint file, with the options configured on this builder.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public SearchBuilder ResumeFrom(string checkpointPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        if (!File.Exists(checkpointPath))
            throw new FileNotFoundException($"Checkpoint '{checkpointPath}' does not exist.", checkpointPath);
        _resumeFrom = checkpointPath;
        return this;
    }

    /// <summary>
    /// Continues the run saved in a checkpoint with the strategy, options, search space, recovery and seed stored in it;
    /// later calls may change what a continued run may change (more epochs, say: the cosine schedule is then recomputed
    /// for the new total from the resumed epoch on). The data must be given again (the same data: the checkpoint holds a
    /// hash of it).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">The file is not a search checkpoint, or stores no settings.</exception>
    public SearchBuilder ContinueFrom(string checkpointPath)
    {
        ResumeFrom(checkpointPath);
        Checkpoint checkpoint = Checkpoint.Load(checkpointPath);
        if (checkpoint.Metadata.Kind is not ("two-stage" or "one-stage" or "darts" or RandomRun.StrategyName))
            throw new CheckpointException(checkpointPath, $"it is a '{checkpoint.Metadata.Kind}' checkpoint, not a search's (two-stage, one-stage, darts or random).");
        StoredSearchSettings settings = TrainingLoop.ReadSettings<StoredSearchSettings>(checkpoint)
            ?? throw new CheckpointException(checkpointPath, "it stores no search settings (an evaluation checkpoint, or one written by an older IstaNas).");
        OptionsCopy.Into(settings.SearchSpace, _searchSpace);
        _checkpointChoices = settings.Choices;
        OptionsCopy.Into(settings.SparseCoder, _sparseCoder);
        _seed = settings.Seed;
        try
        {
            switch (settings.Strategy)
            {
                case "two-stage": OptionsCopy.Into(settings.Options.Deserialize<TwoStageOptions>(JsonFormat.Compact)!, _twoStage); return UseTwoStage();
                case "one-stage": OptionsCopy.Into(settings.Options.Deserialize<OneStageOptions>(JsonFormat.Compact)!, _oneStage); return UseOneStage();
                case "darts": OptionsCopy.Into(settings.Options.Deserialize<DartsOptions>(JsonFormat.Compact)!, _darts); return UseDarts();
                case RandomRun.StrategyName: OptionsCopy.Into(settings.Options.Deserialize<RandomOptions>(JsonFormat.Compact)!, _random); return UseRandom();
                default: throw new CheckpointException(checkpointPath, $"its strategy '{settings.Strategy}' is not one this builder knows.");
            }
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(checkpointPath, $"its {settings.Strategy} options are unreadable: {ex.Message}", ex);
        }
    }

    /// <summary>Validates every option, loads the data and returns a runnable search.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid (the message names it and its value).</exception>
    /// <exception cref="InvalidOperationException">No data set was chosen.</exception>
    public Search Build()
    {
        OptionsValidation.Validate(_searchSpace, "SearchSpace");
        OptionsValidation.Validate(_sparseCoder, "SparseCoder");
        IStrategy strategy = (_strategy ?? (() => TwoStageRun.Strategy(OptionsCopy.Of(_twoStage))))();
        if (_data is null)
            throw new InvalidOperationException("No data set: call UseSyntheticDataset, UseDataset or UseTensors (or, with the IstaNas.Formats package, UseCifar10, UseCifar100, UseIdx or UseImageFolder) before Build.");
        LabelledDataset train = _data();
        Func<nn.Module<Tensor, Tensor>>? space = _spaceForClasses is { } forClasses ? () => forClasses(train.ClassCount) : _space;
        if (space is not null) CheckSpace(strategy, train, space);
        else if (_checkpointChoices is not null)
            throw new InvalidOperationException(
                $"The checkpoint '{_resumeFrom}' was written by a search of a model's choices ({string.Join(", ", _checkpointChoices.Select(d => d.Key))}); " +
                "call UseSpace with the same model factory to continue it.");
        var context = new SearchContext
        {
            Train = train,
            SearchSpace = OptionsCopy.Of(_searchSpace),
            Space = space,
            SparseCoder = OptionsCopy.Of(_sparseCoder),
            Device = _device,
            Seed = _seed,
            LoggerFactory = _loggerFactory,
            Progress = _progress,
            StepProgress = _stepProgress,
            ResumeFrom = _resumeFrom,
            Annotations = new Dictionary<string, string>(_annotations, StringComparer.Ordinal),
        };
        return new Search(strategy, context);
    }

    /// <summary>Builds the space's model once and checks it (choices, shapes on one batch of the data, m per choice) before anything runs.</summary>
    private void CheckSpace(IStrategy strategy, LabelledDataset train, Func<nn.Module<Tensor, Tensor>> space)
    {
        using Networks.ChoiceSuperNet net = SuperNets.ChoiceNetwork(new SearchContext { Train = train, Space = space });
        IReadOnlyList<Decision> decisions = strategy is BuiltInStrategy<TwoStageOptions> or BuiltInStrategy<OneStageOptions> ? SuperNets.CompressedDecisions(net.Decisions, _searchSpace) : net.Decisions;
        if (_checkpointChoices is not null && !_checkpointChoices.SequenceEqual(decisions))
            throw new ArgumentException(
                $"The checkpoint '{_resumeFrom}' searched the choices {SuperNets.Describe(_checkpointChoices)}, but the model of UseSpace has {SuperNets.Describe(decisions)}.");
    }

    private SearchBuilder Configure<T>(T options, Action<T> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(options);
        return this;
    }

    private SearchBuilder Use<T>(T options, Action<T>? configure, Func<T, IStrategy> create)
        where T : class
    {
        configure?.Invoke(options);
        _strategy = () => create(OptionsCopy.Of(options)); // the strategy gets its own copy: later changes to the builder do not leak into it
        return this;
    }
}
