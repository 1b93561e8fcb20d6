using System.Diagnostics;

namespace IstaNas.IO;

/// <summary>
/// Writes files so that a crash at any moment leaves either the old or the new content, never a torn file: the data go to
/// a temporary file beside the target (<c>.{name}.{pid}.{guid}.tmp</c>), are flushed to disk and renamed over the
/// target. A failed write removes its temporary file and leaves the target as it was; a killed one leaves a temporary
/// file that <see cref="RemoveStaleTemporaries"/> removes on the next start.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Test hook: when set and it returns true for a full path, the write fails with an <see cref="IOException"/> halfway.</summary>
    internal static Func<string, bool>? FailWritesForTesting { get; set; }

    /// <summary>Writes <paramref name="contents"/> as UTF-8 (no BOM) atomically.</summary>
    /// <param name="path">The target file; its directory is created when missing.</param>
    /// <param name="contents">The text.</param>
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(contents);
        });

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    /// <param name="path">The target file; its directory is created when missing.</param>
    /// <param name="bytes">The content.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Lets <paramref name="write"/> fill a temporary file, then renames it over <paramref name="path"/>.</summary>
    /// <param name="path">The target file; its directory is created when missing.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="IOException">The disk is full, the folder is read-only, ...; the target is unchanged and no temporary file is left.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $"{TemporaryPrefix(full)}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (FailWritesForTesting?.Invoke(full) == true)
                {
                    fs.Write(new byte[16]);
                    throw new IOException($"Injected write failure for '{full}' (test hook).");
                }

                write(fs);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            try
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for RemoveStaleTemporaries; the original error (if any) matters more.
            }
        }
    }

    /// <summary>
    /// Removes the temporary files that writes of <paramref name="path"/> by processes no longer running left behind
    /// (a write killed halfway). Temporary files of running processes are left alone.
    /// </summary>
    /// <param name="path">The target file whose temporaries to remove.</param>
    /// <returns>The number of files removed.</returns>
    public static int RemoveStaleTemporaries(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) return 0;
        string prefix = TemporaryPrefix(full);
        int removed = 0;
        foreach (string tmp in Directory.EnumerateFiles(dir, prefix + "*.tmp"))
        {
            string rest = Path.GetFileName(tmp)[prefix.Length..];
            int dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest[..dot], out int pid) || (pid != Environment.ProcessId && IsRunning(pid))) continue;
            try
            {
                File.Delete(tmp);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another attempt at the next start.
            }
        }

        return removed;
    }

    private static string TemporaryPrefix(string full) => $".{Path.GetFileName(full)}.";

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
