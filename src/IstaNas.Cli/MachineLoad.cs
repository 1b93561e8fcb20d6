using System.Globalization;

namespace IstaNas.Cli;

/// <summary>
/// How busy the cores this process may run on are with other work, seen over a short window before TorchSharp starts:
/// <see cref="OthersBusy"/> is the CPU time other processes used there (in cores), <see cref="OthersRunnable"/> the mean
/// number of other runnable threads on the machine (which, unlike CPU time, also sees oversubscription).
/// </summary>
/// <param name="Cores">The cores this process may use (affinity and cgroup limits applied).</param>
/// <param name="OthersBusy">Cores' worth of CPU time used by other processes during the window.</param>
/// <param name="OthersRunnable">Mean number of runnable threads of other processes, or null when it cannot be told apart for these cores.</param>
internal sealed record MachineLoad(int Cores, double OthersBusy, double? OthersRunnable)
{
    /// <summary>The competing demand, in cores: the larger of the two measures.</summary>
    public double Demand => Math.Max(OthersBusy, OthersRunnable ?? 0);

    /// <summary>Samples /proc for <paramref name="window"/>; null when the machine does not say (not Linux, /proc unreadable).</summary>
    public static MachineLoad? Observe(TimeSpan window)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            HashSet<int> allowed = AllowedCpus();
            var (busy0, total0, cpus) = CpuTimes(allowed, out double running0);
            long self0 = OwnTicks();
            double runningSum = running0;
            int samples = 1;
            var end = DateTime.UtcNow + window;
            while (DateTime.UtcNow < end)
            {
                Thread.Sleep(20);
                runningSum += ProcsRunning();
                samples++;
            }

            var (busy1, total1, _) = CpuTimes(allowed, out double running1);
            long self1 = OwnTicks();
            runningSum += running1;
            samples++;
            int cores = Environment.ProcessorCount;
            double perCpuTicks = (double)(total1 - total0) / Math.Max(1, allowed.Count);
            if (perCpuTicks <= 0) return null;
            double othersBusy = Math.Clamp((busy1 - busy0 - (self1 - self0)) / perCpuTicks, 0, cores);
            // procs_running counts the whole machine, this reading thread included: it describes these cores only when they are all of them.
            double? runnable = allowed.Count == cpus ? Math.Max(0, runningSum / samples - 1) : null;
            return new MachineLoad(cores, othersBusy, runnable);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The CPUs of /proc/self/status <c>Cpus_allowed_list</c> (such as "0-3,8").</summary>
    private static HashSet<int> AllowedCpus()
    {
        var set = new HashSet<int>();
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        if (line is null) return set;
        foreach (string part in line["Cpus_allowed_list:".Length..].Trim().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] range = part.Split('-');
            int from = int.Parse(range[0], CultureInfo.InvariantCulture), to = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : from;
            for (int c = from; c <= to; c++) set.Add(c);
        }

        return set;
    }

    /// <summary>Busy and total ticks of the allowed CPUs (all, if the set is empty), the machine's CPU count, and procs_running.</summary>
    private static (long Busy, long Total, int Cpus) CpuTimes(HashSet<int> allowed, out double running)
    {
        long busy = 0, total = 0;
        int cpus = 0;
        running = 0;
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("procs_running ", StringComparison.Ordinal))
            {
                running = long.Parse(line.AsSpan("procs_running ".Length), CultureInfo.InvariantCulture);
                continue;
            }

            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3])) continue;
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            cpus++;
            if (allowed.Count > 0 && !allowed.Contains(int.Parse(f[0].AsSpan(3), CultureInfo.InvariantCulture))) continue;
            // user nice system idle iowait irq softirq steal: idle and iowait are not busy; guest time is already in user.
            long[] v = [.. f.Skip(1).Take(8).Select(s => long.Parse(s, CultureInfo.InvariantCulture))];
            long idle = v[3] + v[4];
            long sum = v.Sum();
            busy += sum - idle;
            total += sum;
        }

        if (allowed.Count == 0) allowed.UnionWith(Enumerable.Range(0, cpus));
        return (busy, total, cpus);
    }

    private static double ProcsRunning()
    {
        string? line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("procs_running ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.AsSpan("procs_running ".Length), CultureInfo.InvariantCulture);
    }

    /// <summary>This process's user and system CPU ticks (/proc/self/stat fields 14 and 15).</summary>
    private static long OwnTicks()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
    }
}
