using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using SummaryWriter = TorchSharp.Modules.SummaryWriter;

namespace IstaNas.Training;

/// <summary>
/// Writes every <see cref="EpochReport"/> as TensorBoard scalars (an <c>events.out.tfevents.*</c> file in the log
/// directory, through TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>), so that <c>tensorboard --logdir DIR</c>
/// plots a run while it goes. Opt-in: pass it as the progress of a search (<c>SearchBuilder.WithProgress</c>) or of an
/// evaluation (<c>EvaluationTrainer.Train</c>), alone or beside another progress.
/// </summary>
/// <remarks>
/// <para>
/// The step of every value is the epoch as reported (1-based). Per epoch: <c>loss/train</c>, <c>accuracy/train</c>,
/// <c>loss/valid</c>, <c>accuracy/valid</c>, <c>loss/test</c>, <c>accuracy/test</c>, <c>accuracy/test_top5</c>,
/// <c>learning_rate</c>, <c>drop_path</c>, <c>epoch_seconds</c>; a value that is NaN (not measured in this run, such as
/// the test loss of a search) is skipped. Accuracies are fractions in [0, 1]. Values are stored as 32-bit floats, as
/// TensorBoard keeps them.
/// </para>
/// <para>
/// Searches with sparse codes add, per node (<c>normal/0</c> .. <c>reduce/3</c>): <c>z/&lt;node&gt;</c>, the L1 norm of
/// the node's code, ||z||_1 = sum over candidates of |z_i| (<see cref="EpochReport.ZMagnitude"/> holds |z_i| per
/// candidate, so this is the sum of its entries, taken in absolute value should a report carry signed codes);
/// <c>z_change/&lt;node&gt;</c>, ||z_new - z_old||_2 of the epoch's recovery (<see cref="EpochReport.ZChange"/>, nodes
/// recovered in the epoch only); <c>frozen_nodes</c>, how many nodes are frozen (always 0 for two-stage search); and,
/// once for each node when it first appears frozen (one-stage search), a text <c>frozen/&lt;node&gt;</c> (TensorBoard
/// shows it as <c>frozen/&lt;node&gt;/text_summary</c>) saying after which epoch it froze.
/// </para>
/// <para>
/// Each value is appended to the event file and the file is closed again, so the file on disk is complete after every
/// epoch: a run that is killed keeps everything reported before. A write that fails (disk full, the directory removed)
/// does not stop the run: it is logged as a warning and the next epoch is written again. <see cref="Report"/> may be
/// called from any thread; calls are serialised.
/// </para>
/// </remarks>
public sealed class TensorBoardProgress : IProgress<EpochReport>, IDisposable
{
    private readonly Lock _gate = new();
    private readonly SummaryWriter _writer;
    private readonly ILogger _logger;
    private readonly HashSet<string> _frozen = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates the log directory when it is missing and starts a new event file in it.</summary>
    /// <param name="logDirectory">The directory TensorBoard reads (<c>tensorboard --logdir</c> this directory or one above it).</param>
    /// <param name="logger">Receives a warning when a write fails; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="logDirectory"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The directory cannot be created or written to (a file of that name is in the way, no permission, ...); the message names it.</exception>
    public TensorBoardProgress(string logDirectory, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        string full = Path.GetFullPath(logDirectory);
        if (File.Exists(full))
            throw new IOException($"Cannot create the TensorBoard log directory '{full}': a file of that name is in the way.");
        try
        {
            Directory.CreateDirectory(full);
            _writer = torch.utils.tensorboard.SummaryWriter(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"Cannot create the TensorBoard log directory '{full}' or write an event file in it: {ex.Message}", ex);
        }

        LogDirectory = full;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The full path of the log directory.</summary>
    public string LogDirectory { get; }

    /// <summary>Appends the epoch's values to the event file (see the remarks of the class for what is written).</summary>
    /// <param name="value">The epoch report.</param>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    public void Report(EpochReport value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                Write(value);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(ex, "Could not write epoch {Epoch} to the TensorBoard log directory {Directory}: {Reason}", value.Epoch, LogDirectory, ex.Message);
            }
        }
    }

    /// <summary>Stops writing: later reports throw. The event file is already complete (it is closed after every value).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private void Write(EpochReport r)
    {
        int step = r.Epoch;
        Scalar("loss/train", r.TrainLoss, step);
        Scalar("accuracy/train", r.TrainAccuracy, step);
        Scalar("loss/valid", r.ValidLoss, step);
        Scalar("accuracy/valid", r.ValidAccuracy, step);
        Scalar("loss/test", r.TestLoss, step);
        Scalar("accuracy/test", r.TestAccuracy, step);
        Scalar("accuracy/test_top5", r.TestTop5, step);
        Scalar("learning_rate", r.LearningRate, step);
        Scalar("drop_path", r.DropPathProbability, step);
        Scalar("epoch_seconds", r.Elapsed.TotalSeconds, step);
        foreach (var (node, magnitudes) in r.ZMagnitude.OrderBy(p => p.Key, StringComparer.Ordinal))
            Scalar($"z/{node}", magnitudes.Sum(Math.Abs), step);
        foreach (var (node, change) in r.ZChange.OrderBy(p => p.Key, StringComparer.Ordinal))
            Scalar($"z_change/{node}", change, step);
        if (r.ZMagnitude.Count > 0 || r.FrozenNodes.Count > 0)
            Scalar("frozen_nodes", r.FrozenNodes.Count, step);
        foreach (string node in r.FrozenNodes)
        {
            if (_frozen.Contains(node)) continue;
            _writer.add_text($"frozen/{node}", string.Create(CultureInfo.InvariantCulture, $"{node} frozen after epoch {r.Epoch}"), step);
            _frozen.Add(node);
        }
    }

    private void Scalar(string tag, double value, int step)
    {
        if (!double.IsNaN(value)) _writer.add_scalar(tag, (float)value, step);
    }
}
