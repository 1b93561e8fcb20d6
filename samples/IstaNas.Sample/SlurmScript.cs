using System.Globalization;

namespace IstaNas.Sample;

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
    public static string Create(SweepPlan plan, string jobName, int? parallel, int? cpus, string? time, string? partition, IEnumerable<string> extra)
    {
        var header = new List<string>
        {
            $"#SBATCH --job-name={jobName}",
            string.Create(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{plan.Tasks.Count - 1}{(parallel is int p ? $"%{p}" : string.Empty)}"),
            $"#SBATCH --output={plan.Root}/logs/%A_%a.out",
            "#SBATCH --ntasks=1",
        };
        if (cpus is int c) header.Add(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={c}"));
        if (time is not null) header.Add($"#SBATCH --time={time}");
        if (partition is not null) header.Add($"#SBATCH --partition={partition}");
        header.AddRange(extra.Select(e => $"#SBATCH {e}"));
        return TaskScript.Bash(plan, "SLURM_ARRAY_TASK_ID", header);
    }
}
