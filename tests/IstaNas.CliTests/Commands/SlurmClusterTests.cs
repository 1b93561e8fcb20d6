using System.Diagnostics;
using System.Text.Json;
using IstaNas.Tests.Data;
using Xunit.Abstractions;

namespace IstaNas.Tests.Commands;

/// <summary>
/// <c>sweep --runner slurm</c> on a real Slurm: a one-node cluster on this machine (tools/slurm/start-local-cluster.sh,
/// which installs Debian's slurm and munge when they are missing), the generated <c>sweep.sbatch</c> submitted with
/// sbatch, one task cancelled with scancel mid-evaluation, the array submitted again (the cancelled task continues from
/// its checkpoint, the finished one is skipped), then <c>aggregate</c>. Skipped, saying why, only where the cluster
/// cannot exist: not Linux, not root, or apt-get cannot install the packages. CI runs as root with apt, so it runs there.
/// </summary>
public sealed class SlurmClusterTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan JobLimit = TimeSpan.FromMinutes(6);
    private readonly TempDirectory _dir = new();
    private string? _cluster;
    private readonly Dictionary<string, string> _env = [];

    public void Dispose()
    {
        if (_cluster is not null)
        {
            var (exit, output) = Shell(Script("stop-local-cluster.sh"), [_cluster], TimeSpan.FromMinutes(1));
            log.WriteLine($"stop-local-cluster.sh: exit {exit}\n{output}");
        }

        _dir.Dispose();
    }

    [SkippableFact]
    public void ASweepRunsAsASlurmArrayAndACancelledTaskContinuesFromItsCheckpoint()
    {
        StartClusterOrSkip();
        string root = _dir.File("sweep");
        var (exit, stdout, err) = CommandLineTests.Run("sweep", "--runner", "slurm", "--seeds", "1", "--strategies", "two-stage,random", "--data", "synthetic:64",
            "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--channels", "4", "--layers", "3", "--eval-epochs", "6", "--eval-steps-per-epoch", "40",
            "--eval-test-steps", "1", "--eval-batch-size", "8", "--eval-channels", "4", "--eval-layers", "3", "--eval-no-auxiliary", "--threads", "1",
            "--parallel", "2", "--slurm-time", "00:30:00", "--output", root);
        Assert.True(exit == 0, $"sweep: exit {exit}: {err}{stdout}");
        string script = Path.Combine(root, "sweep.sbatch");
        Dictionary<string, string[]> task0 = SweepScriptTests.Tasks(File.ReadAllText(script))[0];
        string evaluateCheckpoint = task0["EVALUATE_CKPT"][0], evaluateFolder = task0["EVALUATE_DIR"][0];

        // First submission: task 0 is cancelled once its evaluation has written a checkpoint; task 1 runs to the end.
        string job = Submit(script);
        WaitFor(() => File.Exists(evaluateCheckpoint) || !InQueue(job), "task 0's evaluation checkpoint");
        Assert.True(File.Exists(evaluateCheckpoint) && InQueue($"{job}_0"), $"task 0 ended before it could be cancelled:\n{Logs(root)}");
        Slurm("scancel", $"{job}_0");
        WaitFor(() => !InQueue(job), $"job {job} to leave the queue");
        Assert.False(SweepTaskFinished(evaluateFolder), $"task 0's evaluation finished although it was cancelled:\n{Logs(root)}");
        Assert.True(File.Exists(evaluateCheckpoint), "the cancelled evaluation lost its checkpoint");

        // Second submission: task 0 continues its evaluation from the checkpoint; task 1 is skipped.
        string again = Submit(script);
        WaitFor(() => !InQueue(again), $"job {again} to leave the queue");
        string second0 = File.ReadAllText(Path.Combine(root, "logs", $"{again}_0.out")), second1 = File.ReadAllText(Path.Combine(root, "logs", $"{again}_1.out"));
        Assert.True(second0.Contains("search: finished before, skipped", StringComparison.Ordinal)
                    && second0.Contains($"evaluate: continuing {evaluateCheckpoint}", StringComparison.Ordinal)
                    && second0.Contains("task 0: done", StringComparison.Ordinal), second0);
        Assert.True(second1.Contains("evaluate: finished before, skipped", StringComparison.Ordinal) && second1.Contains("task 1: done", StringComparison.Ordinal), second1);
        using (JsonDocument history = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluateFolder, "history.json"))))
            Assert.Equal(6, history.RootElement.GetArrayLength()); // every epoch once: the continued run did not start over

        var (aggregated, summaryOut, summaryErr) = CommandLineTests.Run("aggregate", "--input", root, "--quiet");
        Assert.True(aggregated == 0, $"aggregate: exit {aggregated}: {summaryErr}{summaryOut}");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "summary.json")));
        Assert.Equal((2, 2), (summary.RootElement.GetProperty("planned").GetInt32(), summary.RootElement.GetProperty("finished").GetInt32()));
        foreach (JsonElement s in summary.RootElement.GetProperty("strategies").EnumerateArray())
        {
            Assert.Equal((1, 1), (s.GetProperty("runs").GetInt32(), s.GetProperty("finished").GetInt32()));
            Assert.InRange(s.GetProperty("testAccuracy").GetProperty("mean").GetDouble(), 0, 1);
        }
    }

    /// <summary>Starts the cluster; skips the test (with the reason in its result) only when it cannot exist here.</summary>
    private void StartClusterOrSkip()
    {
        if (!OperatingSystem.IsLinux()) SkipBecause("the one-node Slurm cluster needs Linux");
        if (Shell("id", ["-u"], TimeSpan.FromMinutes(1)).Output.Trim() != "0") SkipBecause("the one-node Slurm cluster needs root (it installs slurm and munge and runs slurmd); run the tests as root to include it");
        string dir = _dir.File("cluster");
        var (exit, output) = Shell(Script("start-local-cluster.sh"), [dir], TimeSpan.FromMinutes(12), ("ISTANAS_APT_TIMEOUT", "150"));
        log.WriteLine($"start-local-cluster.sh: exit {exit}\n{output}");
        if (exit == 4) SkipBecause($"apt-get could not install Slurm (slurmctld, slurmd, slurm-client, munge): {output.Trim()}");
        if (exit != 0) _cluster = dir; // whatever started is stopped in Dispose
        Assert.True(exit == 0, $"the one-node Slurm cluster did not start (exit {exit}):\n{output}");
        _cluster = dir;
        _env["SLURM_CONF"] = Path.Combine(dir, "slurm.conf");
    }

    /// <summary>Ends the test as skipped, with the reason in the test result and loudly in its output.</summary>
    private void SkipBecause(string reason)
    {
        log.WriteLine($"SKIPPED: the real-Slurm test did not run: {reason}");
        throw new SkipException($"SKIPPED, the real-Slurm test did not run: {reason}");
    }

    private string Submit(string script)
    {
        string output = Slurm("sbatch", "--parsable", script).Trim();
        string job = output.Split(';')[0];
        Assert.True(job.Length > 0 && job.All(char.IsAsciiDigit), $"sbatch printed '{output}', not a job id");
        log.WriteLine($"submitted {script}: job {job}");
        return job;
    }

    private bool InQueue(string job) => Slurm("squeue", "--noheader", "--array", "--format=%i %T", "--jobs", job).Trim().Length > 0;

    private static bool SweepTaskFinished(string folder) =>
        File.Exists(Path.Combine(folder, "result.json")) && File.ReadAllText(Path.Combine(folder, "result.json")).Contains("\"cancelled\": false", StringComparison.Ordinal);

    private void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > JobLimit)
                Assert.Fail($"waited {JobLimit.TotalMinutes:0} minutes for {what}; queue:\n{Slurm("squeue", "--array")}\n{Logs(_dir.File("sweep"))}");
            Thread.Sleep(200);
        }
    }

    private static string Logs(string root) =>
        string.Join("\n", Directory.Exists(Path.Combine(root, "logs"))
            ? Directory.GetFiles(Path.Combine(root, "logs")).Order(StringComparer.Ordinal).Select(f => $"== {Path.GetFileName(f)}\n{File.ReadAllText(f)}")
            : []);

    /// <summary>Runs a Slurm client command against the test's cluster; fails the test if it fails.</summary>
    private string Slurm(string tool, params string[] args)
    {
        var (exit, output) = Shell(tool, args, TimeSpan.FromMinutes(1), [.. _env.Select(e => (e.Key, e.Value))]);
        Assert.True(exit == 0, $"{tool} {string.Join(' ', args)}: exit {exit}: {output}");
        return output;
    }

    private (int Exit, string Output) Shell(string file, string[] args, TimeSpan limit, params (string Name, string Value)[] env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir.Path };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in env) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {limit.TotalMinutes:0} minutes");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Script(string name)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "tools", "slurm", name)))
                return Path.Combine(d.FullName, "tools", "slurm", name);
        throw new InvalidOperationException($"tools/slurm/{name} was not found above {AppContext.BaseDirectory}.");
    }
}
