using System.Globalization;
using System.Text;
using System.Text.Json;
using IstaNas.IO;

namespace IstaNas.Training;

/// <summary>
/// Writes the result files of a run into one folder, each atomically (to a temporary file beside it, flushed, then renamed
/// over the target, so a crash leaves the old file or the new one, never a torn one), in the library's one JSON style. A file that
/// fails (disk full, read-only folder, permission) is recorded and the others are still written; nothing is thrown for
/// I/O errors, so a result already in memory is never lost to a failed write. The library's results save through it
/// (<see cref="SavedFiles"/> reports what was written), and so does IstaNas.Visualization; use it for files of your own
/// that belong with a run.
/// </summary>
public sealed class RunFileWriter
{
    private readonly string _directory;
    private readonly List<string> _written = [];
    private readonly List<FileFailure> _failed = [];

    /// <summary>A writer into <paramref name="directory"/> (created by the first write when missing).</summary>
    /// <param name="directory">The folder.</param>
    public RunFileWriter(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
    }

    /// <summary>
    /// Takes <paramref name="directory"/> (created when missing) for a run until the result is disposed: one run writes into
    /// a folder at a time. A second run into it (another process, or another run in this one) is refused with an
    /// <see cref="IOException"/> naming the folder and the process that holds it; searches and evaluations with a checkpoint
    /// directory, and every <see cref="RunFileWriter"/>, take their folder so, and a hold taken here first (an application
    /// that writes its own log there, say) is shared with them. The lock is the operating system's file lock, so a killed
    /// run leaves no lock behind and the next run (a resume) takes the folder.
    /// </summary>
    /// <param name="directory">The run's folder.</param>
    /// <returns>The hold; dispose it when the run has written its last file.</returns>
    /// <exception cref="IOException">Another run holds the folder.</exception>
    public static IDisposable HoldFolder(string directory) => RunFolderLock.Take(directory);

    /// <summary>Writes one file with <paramref name="write"/> (given the full path); records success or failure.</summary>
    /// <param name="name">The file name inside the folder.</param>
    /// <param name="write">Writes the file at the path it is given; an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> it throws is recorded as a failure.</param>
    public void File(string name, Action<string> write)
    {
        string path = Path.Combine(_directory, name);
        try
        {
            using RunFolderLock folder = RunFolderLock.Take(_directory, write: false); // another run's folder is not written into
            write(path);
            _written.Add(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _failed.Add(new FileFailure(path, ex.Message));
        }
    }

    /// <summary>Records that <paramref name="name"/> was not written, with the reason (a picture that could not be drawn, say).</summary>
    /// <param name="name">The file name inside the folder.</param>
    /// <param name="reason">Why it was not written.</param>
    public void Fail(string name, string reason) => _failed.Add(new FileFailure(Path.Combine(_directory, name), reason));

    /// <summary>Writes a text file.</summary>
    /// <param name="name">The file name inside the folder.</param>
    /// <param name="contents">Its text.</param>
    public void Text(string name, string contents) => File(name, path => AtomicFile.WriteAllText(path, contents));

    /// <summary>Writes a binary file (a PNG picture, say).</summary>
    /// <param name="name">The file name inside the folder.</param>
    /// <param name="contents">Its bytes.</param>
    public void Bytes(string name, byte[] contents) => File(name, path => AtomicFile.WriteAllBytes(path, contents));

    /// <summary>Writes a JSON file (indented, the library's style).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="name">The file name inside the folder.</param>
    /// <param name="value">The value.</param>
    public void Json<T>(string name, T value) => Text(name, JsonSerializer.Serialize(value, JsonFormat.Indented) + Environment.NewLine);

    /// <summary>Writes <c>history.json</c> and <c>history.csv</c>.</summary>
    /// <param name="history">One report per epoch.</param>
    public void History(IReadOnlyList<EpochReport> history)
    {
        Json("history.json", history);
        Text("history.csv", Csv(history));
    }

    /// <summary>What was written and what failed.</summary>
    /// <returns>The written files and the failures, in order.</returns>
    public SavedFiles Finish() => new([.. _written], [.. _failed]);

    /// <summary>The history as CSV, one row per epoch, with the JSON field names (empty cells for values not measured).</summary>
    /// <param name="history">One report per epoch.</param>
    /// <returns>The CSV text.</returns>
    public static string Csv(IReadOnlyList<EpochReport> history)
    {
        var sb = new StringBuilder(
            "epoch,epochs,phase,learningRate,dropPathProbability,steps,trainLoss,trainAccuracy,validLoss,validAccuracy,testLoss,testAccuracy,testTop5," +
            "elapsedSeconds,recoverySeconds,maxZChange,frozenNodes\n");
        static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;
        foreach (EpochReport r in history)
        {
            double maxChange = r.ZChange.Count == 0 ? double.NaN : r.ZChange.Values.Max();
            sb.Append(CultureInfo.InvariantCulture, $"{r.Epoch},{r.Epochs},{JsonNamingPolicy.CamelCase.ConvertName(r.Phase.ToString())},")
              .Append(CultureInfo.InvariantCulture, $"{F(r.LearningRate)},{F(r.DropPathProbability)},{r.Steps},{F(r.TrainLoss)},{F(r.TrainAccuracy)},")
              .Append(CultureInfo.InvariantCulture, $"{F(r.ValidLoss)},{F(r.ValidAccuracy)},{F(r.TestLoss)},{F(r.TestAccuracy)},{F(r.TestTop5)},")
              .Append(CultureInfo.InvariantCulture, $"{F(r.Elapsed.TotalSeconds)},{F(r.RecoveryTime.TotalSeconds)},{F(maxChange)},{r.FrozenNodes.Count}\n");
        }

        return sb.ToString();
    }
}
