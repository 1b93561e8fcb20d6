using System.Diagnostics;
using IstaNas.Checkpoints;
using IstaNas.IO;
using IstaNas.Runtime;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace IstaNas.Training;

/// <summary>
/// The one training skeleton every strategy and the evaluation trainer ride. It owns the epoch and step iteration with
/// resume at (epoch, step), cancellation, step and epoch progress, the running metrics, the history, the checkpoint
/// after every epoch and on cancellation (including the torch generator and the partial metrics of an interrupted
/// epoch), and the tolerance of failed checkpoint writes. A run supplies, through the hooks, its epoch plan (learning
/// rate, drop path), its steps, its per-epoch work (recovery, freezing, testing) and the state it saves.
/// <para>
/// A failed checkpoint write (disk full, read-only folder, permission) does not stop training: the error is logged with
/// the file and the cause, recorded in <see cref="Warnings"/>, and the write is tried again after the next epoch.
/// Temporary files of writes killed halfway are removed when a run starts.
/// </para>
/// </summary>
internal abstract class TrainingLoop
{
    private const string TrainMetricsValue = "trainMetrics";
    private const string ValidMetricsValue = "validMetrics";
    private const string SettingsValue = "settings";

    private readonly List<string> _warnings = [];
    private readonly List<EpochReport> _history = [];
    private bool _checkpointFailing;

    /// <summary>Creates the loop.</summary>
    /// <param name="options">The training options (epochs, checkpoint directory).</param>
    /// <param name="device">Where the metrics live.</param>
    /// <param name="log">Receives one line per epoch, warnings and errors.</param>
    protected TrainingLoop(TrainingOptions options, Device device, ILogger log)
    {
        Options = options;
        Device = device;
        Log = log;
    }

    /// <summary>The training options.</summary>
    protected TrainingOptions Options { get; }

    /// <summary>Where the metrics live.</summary>
    protected Device Device { get; }

    /// <summary>The run's logger.</summary>
    protected ILogger Log { get; }

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<EpochReport>? Progress { get; init; }

    /// <summary>Receives a report every few steps (every step in epochs of up to 39 steps, every 10th from 200 on) and at the end of an epoch.</summary>
    public IProgress<StepReport>? StepProgress { get; init; }

    /// <summary>Free-form values stored in every checkpoint (the CLI keeps its data argument there).</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Conditions the user should know about that did not stop the run; each was also logged as a warning.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The completed epochs so far.</summary>
    protected IReadOnlyList<EpochReport> History => _history;

    /// <summary>Checkpoint kind and file name stem ("two-stage" gives <c>two-stage.ckpt</c>).</summary>
    protected abstract string Kind { get; }

    /// <summary>Steps per epoch.</summary>
    protected abstract int StepsPerEpoch { get; }

    /// <summary>Everything that must match for a checkpoint to continue this run (not the epoch count, which may grow).</summary>
    protected abstract CheckpointFingerprint Fingerprint();

    /// <summary>The settings that rebuild this run (strategy options, search space, seed ...), stored in every checkpoint; null for none.</summary>
    protected virtual object? Settings => null;

    /// <summary>Whether 0-based <paramref name="epoch"/> runs (history holds the completed epochs).</summary>
    protected abstract bool ShouldRunEpoch(int epoch);

    /// <summary>Sets the learning rate, drop path and training mode of the epoch.</summary>
    protected abstract EpochPlan BeginEpoch(int epoch);

    /// <summary>Opens the steps of an epoch from <paramref name="firstStep"/> on (the data loaders' position).</summary>
    protected abstract IEpochSteps OpenSteps(int epoch, int firstStep);

    /// <summary>The per-epoch work after the last step (recovery, freezing, testing); returns the completed report.</summary>
    /// <param name="report">The report with the loop's fields filled in.</param>
    protected abstract EpochReport FinishEpoch(EpochReport report);

    /// <summary>Adds the run's own state (modules, optimisers, search space ...) to a checkpoint.</summary>
    protected abstract void SaveState(CheckpointWriter writer);

    /// <summary>Restores the run's own state from a checkpoint that passed the kind and fingerprint checks.</summary>
    protected abstract void LoadState(Checkpoint checkpoint);

    /// <summary>Checks that a resumed run can go on with these options (the default: not fewer epochs than completed).</summary>
    /// <exception cref="ArgumentException">The options cannot continue the checkpoint.</exception>
    protected virtual void CheckResume(Checkpoint checkpoint, int completedEpochs)
    {
        if (completedEpochs > Options.Epochs)
            throw new ArgumentException(
                $"The checkpoint '{checkpoint.Path}' has completed {completedEpochs} epochs, more than the {Options.Epochs} asked for; " +
                "ask for at least as many epochs to continue it.");
    }

    /// <summary>Where the checkpoint goes, or null when checkpoints are off.</summary>
    public string? CheckpointPath =>
        Options.CheckpointDirectory is null ? null : Path.Combine(Options.CheckpointDirectory, Kind + ".ckpt");

    /// <summary>Records a warning (logged and kept for the result).</summary>
    protected void Warn(string message)
    {
        Log.LogWarning("{Warning}", message);
        _warnings.Add(message);
    }

    /// <summary>Runs (or, with <paramref name="resumeFrom"/>, continues) the epochs.</summary>
    /// <param name="resumeFrom">A checkpoint of the same kind and fingerprint, or null for a new run.</param>
    /// <param name="cancellationToken">Stops at the next step; a checkpoint is written when a directory is set.</param>
    /// <returns>The history and how the run ended.</returns>
    /// <exception cref="CheckpointException">The checkpoint is unreadable, of another kind or of another run.</exception>
    /// <exception cref="IOException">Another run holds the checkpoint directory (the message names it and its process).</exception>
    /// <exception cref="InvalidOperationException">LibTorch computes wrong convolution gradients on this CPU (<see cref="TorchConvolutions.EnsureRightGradients"/>).</exception>
    public TrainingOutcome Run(string? resumeFrom, CancellationToken cancellationToken)
    {
        TorchConvolutions.EnsureRightGradients(Device); // before any step: never train on wrong gradients
        var total = Stopwatch.StartNew();
        int startEpoch = 0, startStep = 0;
        MetricsSnapshot? partialTrain = null, partialValid = null;
        using RunFolderLock? folder = Options.CheckpointDirectory is string directory ? RunFolderLock.Take(directory) : null; // one run per folder
        if (CheckpointPath is string path) AtomicFile.RemoveStaleTemporaries(path);
        if (resumeFrom is not null)
        {
            Checkpoint checkpoint = Checkpoint.Load(resumeFrom);
            checkpoint.EnsureKind(Kind);
            checkpoint.EnsureFingerprint(Fingerprint());
            IReadOnlyList<EpochReport> saved = ReadHistory(checkpoint);
            CheckResume(checkpoint, saved.Count);
            LoadState(checkpoint);
            checkpoint.RestoreRngState();
            _history.AddRange(saved);
            (startEpoch, startStep) = (checkpoint.Metadata.Epoch, checkpoint.Metadata.Step);
            if (startStep > 0)
            {
                checkpoint.Metadata.TryGetValue(TrainMetricsValue, out partialTrain);
                checkpoint.Metadata.TryGetValue(ValidMetricsValue, out partialValid);
            }

            Log.LogInformation("Resumed {Kind} from {Path} at epoch {Epoch}, step {Step}.", Kind, resumeFrom, startEpoch + 1, startStep);
        }

        bool cancelled = false;
        string? lastCheckpoint = null;
        int steps = StepsPerEpoch;
        int reportEvery = Math.Clamp(steps / 20, 1, 10); // a report reads the metrics back from the device: not every step of a long epoch
        for (int epoch = startEpoch; !cancelled && ShouldRunEpoch(epoch); epoch++)
        {
            var clock = Stopwatch.StartNew();
            EpochPlan plan = BeginEpoch(epoch);
            bool resuming = epoch == startEpoch;
            int firstStep = resuming ? Math.Min(startStep, steps) : 0;
            using var train = new RunningMetrics(Device, resuming ? partialTrain : null);
            using var valid = new RunningMetrics(Device, resuming ? partialValid : null);
            using (IEpochSteps epochSteps = OpenSteps(epoch, firstStep))
            {
                for (int step = firstStep; step < steps; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        lastCheckpoint = SaveCheckpoint(epoch, step, train, valid) ?? lastCheckpoint;
                        Log.LogInformation("Cancelled at epoch {Epoch}, step {Step}.", epoch + 1, step);
                        break;
                    }

                    using (NewDisposeScope()) epochSteps.Step(train, valid);
                    if (StepProgress is not null && ((step + 1) % reportEvery == 0 || step + 1 == steps))
                        StepProgress.Report(new StepReport(epoch + 1, step + 1, steps, train.MeanLoss, train.Accuracy));
                }
            }

            if (cancelled) break;

            EpochReport report = FinishEpoch(new EpochReport
            {
                Epoch = epoch + 1,
                Epochs = plan.PlannedEpochs,
                Phase = plan.Phase,
                LearningRate = plan.LearningRate,
                DropPathProbability = plan.DropPathProbability,
                Steps = steps,
                TrainLoss = train.MeanLoss,
                TrainAccuracy = train.Accuracy,
                ValidLoss = valid.Samples > 0 ? valid.MeanLoss : double.NaN,
                ValidAccuracy = valid.Samples > 0 ? valid.Accuracy : double.NaN,
                Elapsed = TimeSpan.Zero,
            });
            report = report with { Elapsed = clock.Elapsed };
            _history.Add(report);
            lastCheckpoint = SaveCheckpoint(epoch + 1, 0, null, null) ?? lastCheckpoint;
            LogEpoch(report);
            Progress?.Report(report);
        }

        return new TrainingOutcome([.. _history], cancelled, lastCheckpoint, total.Elapsed);
    }

    private void LogEpoch(EpochReport r)
    {
        string valid = double.IsFinite(r.ValidLoss) ? $" valid loss {r.ValidLoss:0.####} top1 {r.ValidAccuracy:P2}" : string.Empty;
        string test = double.IsFinite(r.TestLoss) ? $" test loss {r.TestLoss:0.####} top1 {r.TestAccuracy:P2} top5 {r.TestTop5:P2}" : string.Empty;
        Log.LogInformation(
            "{Kind} {Phase} epoch {Epoch}/{Epochs} lr {Lr:0.######} drop path {DropPath:0.###} train loss {TrainLoss:0.####} top1 {TrainAcc:P2}{Valid}{Test} ({Seconds:0.0} s)",
            Kind, System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(r.Phase.ToString()), r.Epoch, r.Epochs, r.LearningRate, r.DropPathProbability, r.TrainLoss, r.TrainAccuracy, valid, test, r.Elapsed.TotalSeconds);
    }

    /// <summary>Writes the checkpoint; on an I/O failure logs, warns and returns null (the run goes on).</summary>
    private string? SaveCheckpoint(int epoch, int step, RunningMetrics? train, RunningMetrics? valid)
    {
        if (CheckpointPath is not string path) return null;
        try
        {
            var writer = new CheckpointWriter(Kind, Fingerprint()) { Epoch = epoch, Step = step }
                .SetHistory(_history);
            if (Settings is object settings) writer.SetValue(SettingsValue, settings);
            if (Annotations is { Count: > 0 } annotations) writer.SetValue(CheckpointInfo.AnnotationsValue, annotations);
            if (train is not null) writer.SetValue(TrainMetricsValue, train.Snapshot());
            if (valid is not null) writer.SetValue(ValidMetricsValue, valid.Snapshot());
            SaveState(writer);
            writer.AddRngState();
            writer.Save(path);
            if (_checkpointFailing)
                Log.LogInformation("Wrote the checkpoint {Path} again.", path);
            _checkpointFailing = false;
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.LogError(ex, "Could not write the checkpoint {Path}: {Reason}. Training goes on; the write is tried again after the next epoch.", path, ex.Message);
            if (!_checkpointFailing)
                _warnings.Add($"Could not write the checkpoint '{path}' at epoch {epoch}, step {step}: {ex.Message}");
            _checkpointFailing = true;
            return null;
        }
    }

    /// <summary>The history stored in a checkpoint of this loop.</summary>
    internal static IReadOnlyList<EpochReport> ReadHistory(Checkpoint checkpoint)
    {
        try
        {
            return checkpoint.Metadata.GetHistory<EpochReport>();
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new CheckpointException(checkpoint.Path, $"its history is unreadable: {ex.Message}", ex);
        }
    }

    /// <summary>The settings stored in a checkpoint of this loop, as written by <see cref="Settings"/>.</summary>
    internal static T? ReadSettings<T>(Checkpoint checkpoint)
        where T : class
    {
        try
        {
            return checkpoint.Metadata.TryGetValue(SettingsValue, out T? settings) ? settings : null;
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new CheckpointException(checkpoint.Path, $"its settings are unreadable: {ex.Message}", ex);
        }
    }
}
