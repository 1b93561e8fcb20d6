using System.Globalization;

namespace IstaNas.Cli;

/// <summary>
/// A Slurm job array for a sweep: one array task per <see cref="SweepTask"/> (<c>SLURM_ARRAY_TASK_ID</c> selects the seed
/// and strategy), logs in <c>ROOT/logs/</c>. Submit with <c>sbatch</c>; submit it again to continue what did not finish.
/// </summary>
internal static class SlurmScript
{
    /// <summary>File name of the script in the sweep's folder.</summary>
    public const string FileName = "sweep.sbatch";

    /// <summary>The script.</summary>
    /// <param name="plan">The sweep (its folders are the cluster's paths: a shared file system).</param>
    /// <param name="jobName">The job's name.</param>
    /// <param name="parallel">At most this many array tasks at once (the <c>%P</c> throttle), or null for Slurm's choice.</param>
    /// <param name="cpus">CPUs per task, or null.</param>
    /// <param name="time">Time limit per task (Slurm's format, such as 24:00:00), or null.</param>
    /// <param name="partition">Partition, or null.</param>
    /// <param name="extra">More <c>#SBATCH</c> options, as given (such as --mem=8G).</param>
    /// <remarks>Every value is checked (<see cref="ScriptValues"/>); one that could add a line or a command to the script is
    /// refused with an <see cref="ArgumentException"/> naming its option.</remarks>
    public static string Create(SweepPlan plan, string jobName, int? parallel, int? cpus, string? time, string? partition, IEnumerable<string> extra)
    {
        jobName = ScriptValues.SlurmName(jobName, "--job-name");
        time = time is null ? null : ScriptValues.SlurmTime(time, "--slurm-time");
        partition = partition is null ? null : ScriptValues.SlurmName(partition, "--slurm-partition", list: true);
        string[] options = [.. extra.Select(e => ScriptValues.SlurmOption(e, "--slurm-option"))];
        var header = new List<string>
        {
            $"#SBATCH --job-name={jobName}",
            string.Create(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{plan.Tasks.Count - 1}{(parallel is int p ? $"%{p}" : string.Empty)}"),
            $"#SBATCH --output={ScriptValues.SlurmPath($"{plan.Root}/logs/%A_%a.out", "--output")}",
            "#SBATCH --ntasks=1",
        };
        if (cpus is int c) header.Add(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={c}"));
        if (time is not null) header.Add($"#SBATCH --time={time}");
        if (partition is not null) header.Add($"#SBATCH --partition={partition}");
        header.AddRange(options.Select(e => $"#SBATCH {e}"));
        return TaskScript.Bash(plan, "SLURM_ARRAY_TASK_ID", header);
    }
}
