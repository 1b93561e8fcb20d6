using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;

namespace IstaNas.IO;

/// <summary>
/// One run per folder: a run holds its output folder by an exclusive lock on <see cref="LockFileName"/> in it for as long as
/// it writes there, and a second run into a folder in use is refused, naming the folder and the process that holds it
/// (from <see cref="OwnerFileName"/>). The lock is the operating system's (<see cref="FileShare.None"/>: flock on Unix), so
/// a killed run leaves no lock behind: its files stay, and the next run (a <c>--resume</c>) takes the folder. Holding is
/// re-entrant within one logical flow of control (a command that holds its folder and then runs a search that holds it
/// again); another run in the same process is refused like one in another process.
/// </summary>
internal sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name, in the folder.</summary>
    public const string LockFileName = ".istanas-run.lock";

    /// <summary>The file that says which process holds the folder, in the folder.</summary>
    public const string OwnerFileName = ".istanas-run.owner";

    private static readonly Dictionary<string, Held> HeldHere = new(StringComparer.Ordinal);

    /// <summary>The holds this flow of control made (a snapshot its child tasks inherit): folder => the hold's token.</summary>
    private static readonly AsyncLocal<ImmutableDictionary<string, object>?> FlowHolds = new();

    private readonly string? _folder;

    private bool _disposed;

    private RunFolderLock(string? folder) => _folder = folder;

    /// <summary>Takes <paramref name="folder"/> (created when missing) for a run, until the returned lock is disposed.</summary>
    /// <param name="folder">The run's folder.</param>
    /// <param name="write">
    /// False for a single write into the folder (<see cref="Training.RunFileWriter"/>): refused when a run holds the folder,
    /// but a folder no run has held gets no lock file, and the owner file is left as it is.
    /// </param>
    /// <exception cref="IOException">Another run holds the folder (the message names the folder and its process).</exception>
    public static RunFolderLock Take(string folder, bool write = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        lock (HeldHere)
        {
            ImmutableDictionary<string, object> holds = FlowHolds.Value ?? ImmutableDictionary.Create<string, object>(StringComparer.Ordinal);
            if (HeldHere.TryGetValue(full, out Held? held))
            {
                if (!holds.TryGetValue(full, out object? token) || !ReferenceEquals(token, held.Token))
                    throw InUse(full, $"another run in this process ({Environment.ProcessId})");
                held.Count++;
                return new RunFolderLock(full);
            }

            string lockPath = Path.Combine(full, LockFileName);
            if (!write && !File.Exists(lockPath)) return new RunFolderLock(null); // no run ever held it: nothing to check
            Directory.CreateDirectory(full);
            FileStream? stream;
            try
            {
                stream = new FileStream(lockPath, write ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex) when (IsHeldElsewhere(ex))
            {
                throw InUse(full, Owner(full));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A folder where no lock file can be made (read-only, say) takes no file of this run either; its writes report that.
                stream = null;
            }

            if (stream is not null && write) WriteOwner(full);
            var hold = new Held(stream);
            HeldHere[full] = hold;
            FlowHolds.Value = holds.SetItem(full, hold.Token);
            return new RunFolderLock(full);
        }
    }

    /// <summary>Releases this hold; the folder is free when the outermost hold is released.</summary>
    public void Dispose()
    {
        if (_disposed || _folder is null) return;
        _disposed = true;
        lock (HeldHere)
        {
            if (!HeldHere.TryGetValue(_folder, out Held? held) || --held.Count > 0) return;
            HeldHere.Remove(_folder);
            if (FlowHolds.Value is { } holds && holds.TryGetValue(_folder, out object? token) && ReferenceEquals(token, held.Token))
                FlowHolds.Value = holds.Remove(_folder);
            held.Stream?.Dispose(); // the lock file stays (deleting it would let two runs lock two different files)
        }
    }

    private static IOException InUse(string folder, string owner) =>
        new($"Output folder '{folder}' is in use by {owner}: one run writes into a folder at a time. Wait for that run to end or stop it, " +
            "or choose another folder.");

    /// <summary>A sharing violation: the lock is held (EWOULDBLOCK on Linux and macOS, ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows).</summary>
    private static bool IsHeldElsewhere(IOException ex) => ex.GetType() == typeof(IOException) && ex.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>Who holds the folder, as its owner file says.</summary>
    private static string Owner(string folder)
    {
        try
        {
            string[] lines = File.ReadAllLines(Path.Combine(folder, OwnerFileName));
            return lines.Length > 0 && lines[0].Length > 0 ? lines[0] : "another process";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }

    private static void WriteOwner(string folder)
    {
        string command = string.Join(' ', Environment.GetCommandLineArgs().Select(Path.GetFileName));
        string owner = string.Create(CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} on {Environment.MachineName} ({Truncate(command, 200)}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC)");
        try
        {
            AtomicFile.WriteAllText(Path.Combine(folder, OwnerFileName), owner + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Debug.WriteLine($"Could not write the run folder's owner file: {ex.Message}"); // only a refused second run reads it
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "...";

    private sealed class Held(FileStream? stream)
    {
        public object Token { get; } = new();

        public FileStream? Stream { get; } = stream;

        public int Count { get; set; } = 1;
    }
}
