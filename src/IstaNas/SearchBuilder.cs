using IstaNas.Data;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
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
/// </summary>
public sealed class SearchBuilder
{
    private Func<(ImageDataset Train, ImageDataset? Test)>? _data;
    private readonly SearchSpaceOptions _space;
    private readonly SparseCoderOptions _recovery;
    private Func<IStrategy>? _strategy;
    private Device _device = CPU;
    private long _seed;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IProgress<EpochReport>? _progress;
    private IProgress<StepReport>? _stepProgress;
    private string? _resumeFrom;

    /// <summary>Starts with the authors' defaults (two-stage search, m = 7, s = 2, lambda = 1e-5).</summary>
    public SearchBuilder()
        : this(new SearchSpaceOptions(), new SparseCoderOptions())
    {
    }

    /// <summary>Starts from given defaults (used by dependency injection).</summary>
    public SearchBuilder(SearchSpaceOptions searchSpace, SparseCoderOptions recovery, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(searchSpace);
        ArgumentNullException.ThrowIfNull(recovery);
        _space = searchSpace.Clone();
        _recovery = recovery.Clone();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Searches on a data set (and reports on an optional test set).</summary>
    public SearchBuilder UseDataset(ImageDataset train, ImageDataset? test = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        _data = () => (train, test);
        return this;
    }

    /// <summary>Searches on the built-in synthetic image set, generated from <paramref name="seed"/>.</summary>
    public SearchBuilder UseSyntheticDataset(int count = 2000, int seed = 0, SyntheticOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        _data = () => (Synthetic.Create(count, seed, options), null);
        return this;
    }

    /// <summary>Searches on CIFAR-10 read from its binary folder (data_batch_1.bin ... test_batch.bin) or its Python folder (data_batch_1 ... test_batch).</summary>
    public SearchBuilder UseCifar10(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _data = () => (Cifar10.LoadTrain(directory), Cifar10.FindTestFile(directory) is not null ? Cifar10.LoadTest(directory) : null);
        return this;
    }

    /// <summary>Searches on CIFAR-100 read from its binary folder (train.bin, test.bin) or its Python folder (train, test, meta).</summary>
    public SearchBuilder UseCifar100(string directory, Cifar100LabelKind labels = Cifar100LabelKind.Fine)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _data = () => (Cifar100.LoadTrain(directory, labels), Cifar100.FindTestFile(directory) is not null ? Cifar100.LoadTest(directory, labels) : null);
        return this;
    }

    /// <summary>
    /// Searches on your own images, <c>root/&lt;class&gt;/&lt;image&gt;</c> (see <see cref="ImageFolder"/>). When the folder has
    /// <c>train</c> and <c>test</c> (or <c>val</c>) subfolders, the search uses the training images and reports on the
    /// test images; otherwise it searches on all of them. Skipped files are logged through the builder's logging.
    /// </summary>
    public SearchBuilder UseImageFolder(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _data = () =>
        {
            ILogger logger = _loggerFactory.CreateLogger(typeof(ImageFolder).FullName!);
            if (Directory.Exists(root) && ImageFolder.FindTrainTestFolders(root) is not null)
            {
                var (train, test) = ImageFolder.LoadTrainTest(root, options, logger);
                return (train, test);
            }

            return (ImageFolder.Load(root, options, logger), null);
        };
        return this;
    }

    /// <summary>Searches on an MNIST-style IDX pair (images, labels; optionally .gz).</summary>
    public SearchBuilder UseIdx(string imagesPath, string labelsPath, IdxLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imagesPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelsPath);
        _data = () => (Idx.Load(imagesPath, labelsPath, options), null);
        return this;
    }

    /// <summary>Shapes the compressed search space (nodes, operations, m, s, matrix kind).</summary>
    public SearchBuilder ConfigureSearchSpace(Action<SearchSpaceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_space);
        return this;
    }

    /// <summary>Sets the sparse-coding recovery (lambda, method, tolerance, iteration cap).</summary>
    public SearchBuilder ConfigureRecovery(Action<SparseCoderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_recovery);
        return this;
    }

    /// <summary>Two-stage ISTA-NAS (the default).</summary>
    public SearchBuilder UseTwoStage(Action<TwoStageOptions>? configure = null) => UseOptions(configure, o => new TwoStageStrategy(o));

    /// <summary>One-stage ISTA-NAS: search and train the target network in one run, then absorb alpha into the BNs.</summary>
    public SearchBuilder UseOneStage(Action<OneStageOptions>? configure = null) => UseOptions(configure, o => new OneStageStrategy(o));

    /// <summary>The first-order DARTS baseline (dense super-net with <c>none</c> and softmax weights).</summary>
    public SearchBuilder UseDarts(Action<DartsOptions>? configure = null) => UseOptions(configure, o => new DartsStrategy(o));

    /// <summary>Any strategy, including your own.</summary>
    public SearchBuilder UseStrategy(IStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        _strategy = () => strategy;
        return this;
    }

    /// <summary>Where tensors live, e.g. <c>torch.CPU</c> or <c>torch.CUDA</c>.</summary>
    public SearchBuilder UseDevice(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        return this;
    }

    /// <summary>Where tensors live, by name: "cpu", "cuda", "cuda:1".</summary>
    /// <exception cref="ArgumentException">The name is not a device, or CUDA is not available.</exception>
    public SearchBuilder UseDevice(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        if (device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !cuda.is_available())
            throw new ArgumentException(
                $"Device '{device}' needs CUDA, which this process does not have: reference TorchSharp-cuda-linux or -windows (build with -p:TorchBackend=cuda-linux) on a machine with an NVIDIA GPU.",
                nameof(device));
        try
        {
            _device = new Device(device);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"'{device}' is not a device name (use cpu, cuda or cuda:N).", nameof(device), ex);
        }
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

    /// <summary>Continues the run saved in a checkpoint file.</summary>
    public SearchBuilder ResumeFrom(string checkpointPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        if (!File.Exists(checkpointPath))
            throw new FileNotFoundException($"Checkpoint '{checkpointPath}' does not exist.", checkpointPath);
        _resumeFrom = checkpointPath;
        return this;
    }

    /// <summary>Validates every option, loads the data and returns a runnable search.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid (the message names it and its value).</exception>
    /// <exception cref="InvalidOperationException">No data set was chosen.</exception>
    public Search Build()
    {
        OptionsValidation.Validate(_space, "SearchSpace");
        OptionsValidation.Validate(_recovery, "Recovery");
        IStrategy strategy = (_strategy ?? (() => new TwoStageStrategy(new TwoStageOptions())))();
        if (_data is null)
            throw new InvalidOperationException("No data set: call UseSyntheticDataset, UseCifar10, UseCifar100, UseIdx, UseImageFolder or UseDataset before Build.");
        (ImageDataset train, ImageDataset? test) = _data();
        var context = new SearchContext
        {
            Train = train,
            Test = test,
            SearchSpace = _space.Clone(),
            Recovery = _recovery.Clone(),
            Device = _device,
            Seed = _seed,
            LoggerFactory = _loggerFactory,
            Progress = _progress,
            StepProgress = _stepProgress,
            ResumeFrom = _resumeFrom,
        };
        return new Search(strategy, context);
    }

    private SearchBuilder UseOptions<T>(Action<T>? configure, Func<T, IStrategy> create)
        where T : new()
    {
        var options = new T();
        configure?.Invoke(options);
        _strategy = () => create(options);
        return this;
    }
}

/// <summary>A configured search, ready to run.</summary>
public sealed class Search
{
    internal Search(IStrategy strategy, SearchContext context)
    {
        Strategy = strategy;
        Context = context;
    }

    /// <summary>The strategy that will run.</summary>
    public IStrategy Strategy { get; }

    /// <summary>Data, space, recovery, device and seed.</summary>
    public SearchContext Context { get; }

    /// <summary>Runs the search; cancellation stops at the next step and returns what was reached.</summary>
    public SearchResult Run(CancellationToken cancellationToken = default) => Strategy.Run(Context, cancellationToken);
}
