using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using DataLoader = IstaNas.Data.DataLoader;
using IstaNas.Networks;
using IstaNas.Strategies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>
/// Trains the <see cref="EvalNetwork"/> of a genotype from scratch with the DARTS protocol (algorithm.md section 4):
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
/// </summary>
public sealed class EvaluationTrainer
{
    /// <summary>The <see cref="EpochReport.Phase"/> of the reports.</summary>
    public const string Phase = "evaluate";

    /// <summary>The checkpoint kind.</summary>
    public const string CheckpointKind = "evaluation";

    /// <summary>File name of the checkpoint in <see cref="TrainingOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "evaluation.ckpt";

    private const string TrainSumsValue = "partialTrainMetrics";

    private readonly ILogger _log;

    /// <summary>Creates a trainer.</summary>
    /// <param name="genotype">The architecture (two pairs per node).</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="device">Device of the network and batches; null for the CPU.</param>
    /// <param name="logger">Receives one line per epoch; null for none.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    /// <exception cref="ArgumentException">The genotype does not have two pairs per node.</exception>
    public EvaluationTrainer(Genotype genotype, EvaluationOptions options, Device? device = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "Evaluation");
        CellTopology.From(genotype, CellType.Normal);
        Genotype = genotype;
        Device = device ?? CPU;
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>The architecture trained.</summary>
    public Genotype Genotype { get; }

    /// <summary>The settings.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>The device.</summary>
    public Device Device { get; }

    /// <summary>Receives a report after every training step (1-based step of the epoch, running train loss and top-1); null for none.</summary>
    public IProgress<StepReport>? StepProgress { get; init; }

    /// <summary>The network options this trainer builds for the given data (classes and input channels from the training set).</summary>
    /// <param name="train">The training set.</param>
    /// <returns>The options.</returns>
    public EvalNetworkOptions NetworkOptions(ImageDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return new EvalNetworkOptions
        {
            Channels = Options.Channels,
            Layers = Options.Layers,
            StemMultiplier = Options.StemMultiplier,
            Auxiliary = Options.Auxiliary,
            InputChannels = train.Channels,
            Classes = train.ClassCount,
            BatchNormAfterParameterFree = Options.BatchNormAfterParameterFree,
        };
    }

    /// <summary>The shape of a run on these data: genotype, network options, training settings, data sets and seed (not the device or checkpoint directory).</summary>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set.</param>
    /// <returns>The fingerprint stored in and checked against checkpoints.</returns>
    public CheckpointFingerprint Fingerprint(ImageDataset train, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        EvaluationOptions o = Options;
        return new CheckpointFingerprint(TrainedNetwork.Fingerprint(Genotype, NetworkOptions(train)).Parts
            .Concat(CheckpointFingerprint.Empty
                .With("train.epochs", o.Epochs)
                .With("train.batchSize", o.BatchSize)
                .With("train.learningRate", o.LearningRate)
                .With("train.learningRateMin", o.LearningRateMin)
                .With("train.momentum", o.Momentum)
                .With("train.weightDecay", o.WeightDecay)
                .With("train.gradClip", o.GradClip)
                .With("train.auxiliaryWeight", o.AuxiliaryWeight)
                .With("train.augment", o.Augment)
                .With("train.cutout", o.Cutout ? o.CutoutLength : 0)
                .With("train.dropPath", o.DropPathProbability)
                .With("train.maxStepsPerEpoch", o.MaxStepsPerEpoch)
                .With("train.maxTestSteps", o.MaxTestSteps)
                .With("seed", o.Seed)
                .With("data.train", $"{train.Name} {train.Count}x{train.Channels}x{train.Height}x{train.Width} {train.ClassCount} classes")
                .With("data.test", $"{test.Name} {test.Count}x{test.Channels}x{test.Height}x{test.Width} {test.ClassCount} classes")
                .Parts));
    }

    /// <summary>Trains from scratch.</summary>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set (same image shape and classes).</param>
    /// <param name="progress">Receives a report after every epoch; null for none.</param>
    /// <param name="cancellationToken">Stops at the next step and saves a checkpoint.</param>
    /// <returns>The result; the caller owns <see cref="EvaluationResult.Network"/>.</returns>
    /// <exception cref="ArgumentException">The data sets do not fit each other or the settings.</exception>
    public EvaluationResult Train(ImageDataset train, ImageDataset test, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
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
    public EvaluationResult Resume(string checkpointPath, ImageDataset train, ImageDataset test, IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckData(train, test);
        Checkpoint checkpoint = Checkpoint.Load(checkpointPath);
        checkpoint.EnsureKind(CheckpointKind);
        checkpoint.EnsureFingerprint(Fingerprint(train, test));
        return Run(train, test, checkpoint, progress, cancellationToken);
    }

    private void CheckData(ImageDataset train, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"The training set '{train.Name}' has {train.Count} images and the test set '{test.Name}' {test.Count}; both need at least one.");
        if (train.Channels != test.Channels || train.Height != test.Height || train.Width != test.Width || train.ClassCount != test.ClassCount)
            throw new ArgumentException(
                $"The training set '{train.Name}' ({train.Channels}x{train.Height}x{train.Width}, {train.ClassCount} classes) and the test set " +
                $"'{test.Name}' ({test.Channels}x{test.Height}x{test.Width}, {test.ClassCount} classes) differ in shape or classes.");
        if (Options.Auxiliary && (train.Height != 32 || train.Width != 32))
            throw new ArgumentException($"The auxiliary head needs 32x32 images; '{train.Name}' has {train.Height}x{train.Width}. Turn Auxiliary off.");
        SearchSetup.RequireTwoClasses(train, "training");
    }

    private EvaluationResult Run(ImageDataset train, ImageDataset test, Checkpoint? resume, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        EvaluationOptions o = Options;
        CheckpointFingerprint fingerprint = Fingerprint(train, test);
        string? checkpointPath = o.CheckpointDirectory is null ? null : Path.Combine(o.CheckpointDirectory, CheckpointFileName);
        int seed = unchecked((int)o.Seed);
        AugmentationPipeline augmentation = o.Augment ? AugmentationPipeline.Standard(o.Cutout ? o.CutoutLength : 0) : AugmentationPipeline.None;
        var trainLoader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = o.BatchSize, Shuffle = true, Seed = seed, DropLast = train.Count % o.BatchSize == 1 && train.Count > 1,
            Augmentation = augmentation, Device = Device,
        });
        var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = o.BatchSize, Shuffle = false, Augmentation = AugmentationPipeline.None, Device = Device });
        int steps = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, trainLoader.BatchesPerEpoch) : trainLoader.BatchesPerEpoch;
        int testSteps = o.MaxTestSteps is int testCap ? Math.Min(testCap, testLoader.BatchesPerEpoch) : testLoader.BatchesPerEpoch;

        torch.random.manual_seed(o.Seed);
        var net = new EvalNetwork(NetworkOptions(train), Genotype);
        try
        {
            net.to(Device);
            Parameter[] parameters = net.parameters().ToArray();
            using var optimizer = optim.SGD(parameters, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);

            var history = new List<EpochReport>();
            var dropPaths = new List<double>();
            int startEpoch = 0, startStep = 0;
            MetricsSnapshot? partial = null;
            if (resume is not null)
            {
                resume.LoadModule(net);
                resume.LoadOptimizer(optimizer);
                resume.RestoreRngState();
                foreach (HistoryEntry h in resume.Metadata.GetHistory<HistoryEntry>())
                {
                    history.Add(h.ToReport());
                    dropPaths.Add(h.DropPath);
                }

                startEpoch = resume.Metadata.Epoch;
                startStep = resume.Metadata.Step;
                if (startStep > 0) partial = resume.Metadata.GetValue<MetricsSnapshot>(TrainSumsValue);
                _log.LogInformation("Resuming evaluation from {Path} at epoch {Epoch}, step {Step}", resume.Path, startEpoch + 1, startStep);
            }

            _log.LogInformation(
                "Evaluating the genotype on {Train} ({TrainCount} images), testing on {Test} ({TestCount}): C={C} L={L}, {Params:N0} parameters (+{Aux:N0} auxiliary), batch {Batch}, {Steps} steps x {Epochs} epochs",
                train.Name, train.Count, test.Name, test.Count, o.Channels, o.Layers, net.ParameterCount, net.AuxiliaryParameterCount, o.BatchSize, steps, o.Epochs);

            bool cancelled = false;
            string? lastCheckpoint = null;
            for (int epoch = startEpoch; epoch < o.Epochs && !cancelled; epoch++)
            {
                var clock = Stopwatch.StartNew();
                double lr = CosineSchedule.At(epoch, o.Epochs, o.LearningRate, o.LearningRateMin);
                CosineSchedule.Apply(optimizer, lr);
                double dropPath = o.DropPathProbability * epoch / o.Epochs;
                net.DropPathProbability = dropPath;
                net.train();
                int first = epoch == startEpoch ? startStep : 0;
                using var trainMetrics = new RunningMetrics(Device, epoch == startEpoch ? partial : null);
                int step = first;
                foreach (Batch batch in trainLoader.GetEpoch(epoch, first).Take(steps - first))
                {
                    using Batch b = batch;
                    if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        break;
                    }

                    TrainStep(net, optimizer, parameters, b, trainMetrics);
                    step++;
                    StepProgress?.Report(new StepReport(epoch + 1, step, steps, trainMetrics.MeanLoss, trainMetrics.Accuracy));
                }

                if (cancelled)
                {
                    if (checkpointPath is not null)
                    {
                        SaveCheckpoint(checkpointPath, fingerprint, net, optimizer, epoch, step, history, dropPaths, trainMetrics.Snapshot());
                        lastCheckpoint = checkpointPath;
                        _log.LogInformation("Cancelled at epoch {Epoch}, step {Step}; checkpoint {Path}", epoch + 1, step, checkpointPath);
                    }

                    break;
                }

                using var testMetrics = Test(net, testLoader, testSteps);
                var report = new EpochReport
                {
                    Epoch = epoch + 1,
                    Epochs = o.Epochs,
                    Phase = Phase,
                    LearningRate = lr,
                    TrainLoss = trainMetrics.MeanLoss,
                    TrainAccuracy = trainMetrics.Accuracy,
                    ValidLoss = testMetrics.MeanLoss,
                    ValidAccuracy = testMetrics.Accuracy,
                    ValidTop5 = testMetrics.Top5,
                    Elapsed = clock.Elapsed,
                };
                history.Add(report);
                dropPaths.Add(dropPath);
                if (checkpointPath is not null)
                {
                    SaveCheckpoint(checkpointPath, fingerprint, net, optimizer, epoch + 1, 0, history, dropPaths, null);
                    lastCheckpoint = checkpointPath;
                }

                _log.LogInformation(
                    "epoch {Epoch}/{Epochs} lr {Lr:0.######} drop path {DropPath:0.###} train loss {TrainLoss:0.####} top1 {TrainAcc:P2} test loss {TestLoss:0.####} top1 {TestAcc:P2} top5 {Top5:P2} ({Time:0.0} s)",
                    report.Epoch, o.Epochs, lr, dropPath, report.TrainLoss, report.TrainAccuracy, report.ValidLoss, report.ValidAccuracy, report.ValidTop5,
                    clock.Elapsed.TotalSeconds);
                progress?.Report(report);
            }

            net.eval();
            EpochReport? last = history.Count > 0 ? history[^1] : null;
            return new EvaluationResult
            {
                Network = net,
                Genotype = Genotype,
                Options = Options,
                TestLoss = last?.ValidLoss ?? double.NaN,
                TestAccuracy = last?.ValidAccuracy ?? double.NaN,
                TestTop5 = last?.ValidTop5 ?? double.NaN,
                ParameterCount = net.ParameterCount,
                AuxiliaryParameterCount = net.AuxiliaryParameterCount,
                History = history,
                Cancelled = cancelled,
                CheckpointPath = lastCheckpoint,
                Elapsed = total.Elapsed,
            };
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    private void TrainStep(EvalNetwork net, optim.Optimizer optimizer, Parameter[] parameters, Batch batch, RunningMetrics metrics)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var (logits, auxiliary) = net.ForwardWithAuxiliary(batch.Images);
        Tensor loss = nn.functional.cross_entropy(logits, batch.Labels);
        if (auxiliary is not null && Options.AuxiliaryWeight > 0)
            loss = loss + (Options.AuxiliaryWeight * nn.functional.cross_entropy(auxiliary, batch.Labels));
        loss.backward();
        if (Options.GradClip > 0) nn.utils.clip_grad_norm_(parameters, Options.GradClip);
        optimizer.step();
        metrics.Add(loss, logits, batch.Labels, topFive: false);
    }

    private RunningMetrics Test(EvalNetwork net, DataLoader loader, int steps)
    {
        net.eval();
        var metrics = new RunningMetrics(Device);
        using (no_grad())
        {
            foreach (Batch batch in loader.GetEpoch(0).Take(steps))
            {
                using Batch b = batch;
                using var scope = NewDisposeScope();
                Tensor logits = net.forward(b.Images);
                metrics.Add(nn.functional.cross_entropy(logits, b.Labels), logits, b.Labels, topFive: true);
            }
        }

        net.train();
        return metrics;
    }

    private static void SaveCheckpoint(string path, CheckpointFingerprint fingerprint, EvalNetwork net, optim.Optimizer optimizer, int epoch, int step,
        IReadOnlyList<EpochReport> history, IReadOnlyList<double> dropPaths, MetricsSnapshot? partial)
    {
        var writer = new CheckpointWriter(CheckpointKind, fingerprint) { Epoch = epoch, Step = step }
            .SetHistory(history.Select((r, i) => HistoryEntry.From(r, dropPaths[i])))
            .AddModule(net)
            .AddOptimizer((OptimizerHelper)optimizer)
            .AddRngState();
        if (partial is not null) writer.SetValue(TrainSumsValue, partial);
        writer.Save(path);
    }
}
