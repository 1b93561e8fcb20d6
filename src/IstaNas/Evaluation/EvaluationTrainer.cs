using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>
/// Trains the <see cref="EvaluationNetwork"/> of a genotype from scratch with the DARTS protocol (docs/concepts.md, "Two-stage search", step 3):
/// SGD with momentum and weight decay, cosine learning rate per epoch, gradient clipping, auxiliary loss, cutout and
/// drop path rising linearly; after every epoch the test set is evaluated (evaluation mode, no augmentation).
/// <para>
/// With <see cref="TrainingOptions.CheckpointDirectory"/> set, <c>evaluation.ckpt</c> is written after every epoch and
/// on cancellation (weights with BN statistics, SGD momentum, torch generator state, position, history). On the CPU with
/// a fixed seed, a run stopped at any step and continued with <see cref="Resume"/> ends with the same weights, bit for
/// bit, as an uninterrupted run: the data order and augmentation depend only on (seed, epoch, batch), the learning rate
/// and drop-path probability only on the epoch, and drop path draws from the restored generator. This assumes the same
/// number of intra-op threads (<c>torch.set_num_threads</c>) in both processes and that nothing else draws from torch's
/// process-wide default generator during training (it is shared by every network in the process).
/// </para>
/// <para>
/// A fixed model of your own (any <c>nn.Module&lt;Tensor, Tensor&gt;</c>, such as a model whose <c>Choice</c> modules were
/// fixed) trains on the same loop through the constructor that takes a model factory, on images or on tensors
/// (<see cref="TensorDataset"/>): the same optimiser, schedule, clipping, checkpoints and bit-exact resume; no auxiliary
/// head and no drop path (a warning in <see cref="EvaluationResult.Warnings"/> says when the options ask for them), and
/// for tensors no augmentation (the values are used as given).
/// </para>
/// </summary>
public sealed class EvaluationTrainer
{
    /// <summary>The checkpoint kind.</summary>
    public const string CheckpointKind = "evaluation";

    /// <summary>File name of the checkpoint in <see cref="TrainingOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "evaluation.ckpt";

    private readonly ILogger _log;

    /// <summary>Creates a trainer.</summary>
    /// <param name="genotype">The architecture (two pairs per node).</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="device">Device of the network and batches; null for the CPU.</param>
    /// <param name="logger">Receives one line per epoch; null for none.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    /// <exception cref="ArgumentException">The genotype does not have two pairs per node, or LibTorch cannot train on the device.</exception>
    public EvaluationTrainer(Genotype genotype, EvaluationOptions options, Device? device = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "Evaluation");
        CellTopology.From(genotype, CellType.Normal);
        Genotype = genotype;
        if (device is not null) TrainingDevice.Check(device, nameof(device));
        Device = device ?? CPU;
        _log = logger ?? NullLogger.Instance;
    }

    private EvaluationTrainer(Func<nn.Module<Tensor, Tensor>> model, EvaluationOptions options, Device? device, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "Evaluation");
        ModelFactory = model;
        Device = device ?? CPU;
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>A trainer of a fixed model of your own, built by <paramref name="model"/> after the seed is set.</summary>
    /// <param name="model">Builds the model (called once per run, after <c>torch.manual_seed(Seed)</c>, so its initial weights follow the seed).</param>
    /// <param name="options">The settings; validated here. <see cref="TrainingOptions.Channels"/>, <see cref="TrainingOptions.Layers"/>, the layout and the auxiliary and drop-path settings are the DARTS network's and do not apply.</param>
    /// <param name="device">Device of the model and batches; null for the CPU.</param>
    /// <param name="logger">Receives one line per epoch; null for none.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public static EvaluationTrainer ForModel(Func<nn.Module<Tensor, Tensor>> model, EvaluationOptions options, Device? device = null, ILogger? logger = null) =>
        new(model, options, device, logger);

    /// <summary>The architecture trained; null when the trainer trains a model of your own.</summary>
    public Genotype? Genotype { get; }

    /// <summary>Builds the model of your own that the trainer trains; null for a genotype's DARTS network.</summary>
    internal Func<nn.Module<Tensor, Tensor>>? ModelFactory { get; }

    /// <summary>The settings.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>The device.</summary>
    public Device Device { get; }

    /// <summary>Receives a report every few training steps and at the end of an epoch; null for none.</summary>
    public IProgress<StepReport>? StepProgress { get; set; }

    /// <summary>Free-form values stored in every checkpoint (the CLI keeps its data argument there).</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; set; }

    /// <summary>The network options this trainer builds for the given data (classes and input channels from the training set).</summary>
    /// <param name="train">The training set.</param>
    /// <returns>The options.</returns>
    public EvaluationNetworkOptions NetworkOptions(LabelledDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return new EvaluationNetworkOptions(Options.NetworkShape(train, Options.Auxiliary))
        {
            BatchNormAfterParameterFree = Options.BatchNormAfterParameterFree,
            Layout = Options.Layout,
        };
    }

    /// <summary>
    /// The shape of a run on these data: genotype, network options, training settings (not the epoch count, which a
    /// continued run may raise, nor the checkpoint directory), the data sets' size, shape and content hash, and the seed.
    /// </summary>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set.</param>
    /// <param name="model">The model being trained (a model of the user's enters by its state layout).</param>
    /// <returns>The fingerprint stored in and checked against checkpoints.</returns>
    internal CheckpointFingerprint Fingerprint(LabelledDataset train, LabelledDataset test, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        CheckpointFingerprint f = (Genotype is null ? FixedModel.Fingerprint(CheckpointFingerprint.Empty, model) : TrainedNetwork.Fingerprint(Genotype, NetworkOptions(train)))
            .With("seed", Options.Seed);
        f = f.WithOptions("options", Options);
        f = TrainingData.Fingerprint(f, "data.train", train);
        return TrainingData.Fingerprint(f, "data.test", test);
    }

    /// <summary>Trains from scratch.</summary>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set (same image shape and classes).</param>
    /// <param name="progress">Receives a report after every epoch; null for none.</param>
    /// <param name="cancellationToken">Stops at the next step and saves a checkpoint.</param>
    /// <returns>The result; the caller owns <see cref="EvaluationResult.Network"/>.</returns>
    /// <exception cref="ArgumentException">The data sets do not fit each other or the settings.</exception>
    public EvaluationResult Train(LabelledDataset train, LabelledDataset test, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckData(train, test);
        return Run(train, test, null, progress, cancellationToken);
    }

    /// <summary>Continues the run saved in a checkpoint written by this class with the same genotype, settings, data and seed.</summary>
    /// <param name="checkpointPath">The checkpoint (<c>evaluation.ckpt</c>).</param>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set.</param>
    /// <param name="progress">Receives a report after every epoch; null for none.</param>
    /// <param name="cancellationToken">Stops at the next step and saves a checkpoint.</param>
    /// <returns>The result, with the history from the start of the run.</returns>
    /// <exception cref="FileNotFoundException">The checkpoint does not exist.</exception>
    /// <exception cref="CheckpointException">The checkpoint is invalid or belongs to a different run (the message says what differs).</exception>
    public EvaluationResult Resume(string checkpointPath, LabelledDataset train, LabelledDataset test, IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        CheckData(train, test);
        return Run(train, test, checkpointPath, progress, cancellationToken);
    }

    /// <summary>Trains from scratch on a worker thread (for hosted services and UI code).</summary>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set.</param>
    /// <param name="progress">Receives a report after every epoch; null for none.</param>
    /// <param name="cancellationToken">Stops at the next step and saves a checkpoint.</param>
    /// <returns>The result; the caller owns <see cref="EvaluationResult.Network"/>.</returns>
    public Task<EvaluationResult> TrainAsync(LabelledDataset train, LabelledDataset test, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Train(train, test, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// A trainer for the run saved in a checkpoint, with the genotype and options stored in it; <paramref name="configure"/>
    /// may change what a continued run may change (more <see cref="TrainingOptions.Epochs"/>, the checkpoint directory).
    /// </summary>
    /// <param name="checkpointPath">An <c>evaluation.ckpt</c>.</param>
    /// <param name="configure">Optional changes to the stored options.</param>
    /// <param name="device">Device; null for the CPU.</param>
    /// <param name="logger">Logger; null for none.</param>
    /// <returns>The trainer; call <see cref="Resume"/> with the same data.</returns>
    /// <exception cref="CheckpointException">The file is not an evaluation checkpoint or has no stored settings.</exception>
    public static EvaluationTrainer FromCheckpoint(string checkpointPath, Action<EvaluationOptions>? configure = null, Device? device = null, ILogger? logger = null)
    {
        Checkpoint checkpoint = Checkpoint.Load(checkpointPath);
        checkpoint.EnsureKind(CheckpointKind);
        EvaluationSettings settings = TrainingLoop.ReadSettings<EvaluationSettings>(checkpoint)
            ?? throw new CheckpointException(checkpointPath, "it stores no settings (written by an older IstaNas); give the genotype and options again.");
        configure?.Invoke(settings.Options);
        return new EvaluationTrainer(settings.Genotype ?? throw new CheckpointException(checkpointPath,
            "it is the run of a model of your own; give its factory: ForModelFromCheckpoint(path, () => new MyModel())."), settings.Options, device, logger);
    }

    /// <summary>
    /// A trainer for the run of a model of your own saved in a checkpoint, with the options stored in it;
    /// <paramref name="configure"/> may change what a continued run may change (more epochs, the checkpoint directory).
    /// </summary>
    /// <param name="checkpointPath">An <c>evaluation.ckpt</c> of a model of your own.</param>
    /// <param name="model">Builds the same model as the saved run did.</param>
    /// <param name="configure">Optional changes to the stored options.</param>
    /// <param name="device">Device; null for the CPU.</param>
    /// <param name="logger">Logger; null for none.</param>
    /// <returns>The trainer; call <see cref="Resume"/> with the same data.</returns>
    /// <exception cref="CheckpointException">The file is not an evaluation checkpoint of a model of your own.</exception>
    public static EvaluationTrainer ForModelFromCheckpoint(string checkpointPath, Func<nn.Module<Tensor, Tensor>> model, Action<EvaluationOptions>? configure = null,
        Device? device = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Checkpoint checkpoint = Checkpoint.Load(checkpointPath);
        checkpoint.EnsureKind(CheckpointKind);
        EvaluationSettings settings = TrainingLoop.ReadSettings<EvaluationSettings>(checkpoint)
            ?? throw new CheckpointException(checkpointPath, "it stores no settings (written by an older IstaNas); give the options again.");
        if (settings.Genotype is not null)
            throw new CheckpointException(checkpointPath, $"it is the run of the genotype {settings.Genotype.ToDartsString()}, not of a model of your own; use FromCheckpoint(path).");
        configure?.Invoke(settings.Options);
        return new EvaluationTrainer(model, settings.Options, device, logger);
    }

    private void CheckData(LabelledDataset train, LabelledDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"The training set '{train.Name}' has {train.Count} samples and the test set '{test.Name}' {test.Count}; both need at least one.");
        if (!train.SampleShape.SequenceEqual(test.SampleShape) || train.ClassCount != test.ClassCount)
            throw new ArgumentException(
                $"The training set '{train.Name}' ({string.Join("x", train.SampleShape)}, {train.ClassCount} classes) and the test set " +
                $"'{test.Name}' ({string.Join("x", test.SampleShape)}, {test.ClassCount} classes) differ in shape or classes.");
        if (Genotype is null)
        {
            if (Options.CropSize is int size && (train is not ImageDataset || size > train.SampleShape[1] || size > train.SampleShape[2]))
                throw new ArgumentException($"CropSize {size} does not fit the samples of '{train.Name}' ({string.Join("x", train.SampleShape)}); crops apply to images at least that large.");
            TrainingData.RequireTwoClasses(train, "training");
            return;
        }

        if (train is not ImageDataset || test is not ImageDataset)
            throw new ArgumentException(
                $"The DARTS evaluation network trains on images (ImageDataset); '{(train is ImageDataset ? test.Name : train.Name)}' holds tensors. " +
                "Train a model of your own on tensors (the constructor that takes a model factory).");
        CheckImages((ImageDataset)train, (ImageDataset)test);
    }

    private void CheckImages(ImageDataset train, ImageDataset test)
    {
        if (train.Channels != test.Channels || train.Height != test.Height || train.Width != test.Width || train.ClassCount != test.ClassCount)
            throw new ArgumentException(
                $"The training set '{train.Name}' ({train.Channels}x{train.Height}x{train.Width}, {train.ClassCount} classes) and the test set " +
                $"'{test.Name}' ({test.Channels}x{test.Height}x{test.Width}, {test.ClassCount} classes) differ in shape or classes.");
        if (Options.CropSize is int crop && (crop > train.Height || crop > train.Width))
            throw new ArgumentException($"CropSize {crop} exceeds the images of '{train.Name}' ({train.Height}x{train.Width}); bring them to at least {crop} x {crop} or crop less.");
        int height = Options.CropSize ?? train.Height, width = Options.CropSize ?? train.Width;
        NetworkValidation.ImageSide(height, width, Options.Layout, Options.Layers, "train");
        if (Options.Auxiliary)
            NetworkValidation.AuxiliaryInput(height, width, Options.Layout, Options.Layers, "train");
        TrainingData.RequireTwoClasses(train, "training");
    }

    private EvaluationResult Run(LabelledDataset train, LabelledDataset test, string? resumeFrom, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        using var run = new EvaluationRun(this, train, test, _log) { Progress = progress, StepProgress = StepProgress, Annotations = Annotations };
        return run.Result(run.Run(resumeFrom, cancellationToken));
    }
}
