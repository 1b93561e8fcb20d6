namespace IstaNas.Benchmarks;

/// <summary>Peak resident memory and minor page faults of this process (Linux /proc; NaN or -1 elsewhere).</summary>
internal static class ProcessMemory
{
    /// <summary>VmHWM of /proc/self/status in MB (the peak RSS, what Python's ru_maxrss reports).</summary>
    public static double PeakRssMegabytes()
    {
        if (!File.Exists("/proc/self/status")) return double.NaN;
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    /// <summary>VmRSS of /proc/self/status in MB (the resident set now).</summary>
    public static double RssMegabytes()
    {
        if (!File.Exists("/proc/self/status")) return double.NaN;
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    /// <summary>glibc's allocator counters (mallinfo2) in MB: bytes in use in the heap, bytes free but kept, bytes in mmapped chunks.</summary>
    public static (double InUse, double FreeKept, double Mapped) Malloc()
    {
        try
        {
            MallInfo2 info = mallinfo2();
            const double Mb = 1024.0 * 1024.0;
            return (info.uordblks / Mb, info.fordblks / Mb, info.hblkhd / Mb);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 mallinfo2();

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    /// <summary>Minor page faults so far (field 10 of /proc/self/stat).</summary>
    public static long MinorFaults()
    {
        if (!File.Exists("/proc/self/stat")) return -1;
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7]); // fields after the command: state is field 3, minflt field 10
    }
}
