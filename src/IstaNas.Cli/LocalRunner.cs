using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace IstaNas.Cli;

/// <summary>
/// Runs a sweep on this machine, P tasks at a time, each task's steps as child processes of the CLI
/// (<see cref="SweepTask.NextSearch"/>, <see cref="SweepTask.NextEvaluate"/>: finished steps are skipped, unfinished ones
/// continued from their checkpoint). A child's output goes to <c>TASK/sweep.log</c>. On cancellation (Ctrl+C, SIGTERM)
/// every child is interrupted once, checkpoints and stops; the sweep run again continues them.
/// </summary>
internal static class LocalRunner
{
    private static readonly string? Setsid = OperatingSystem.IsLinux() ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists) : null;

    /// <summary>How a local sweep ended.</summary>
    /// <param name="Finished">Tasks whose search and evaluation finished (now or before).</param>
    /// <param name="Failures">One line per task that failed.</param>
    /// <param name="Cancelled">Whether cancellation stopped it.</param>
    public sealed record Outcome(int Finished, IReadOnlyList<string> Failures, bool Cancelled);

    /// <summary>Runs every task.</summary>
    public static Outcome Run(SweepPlan plan, int parallel, QualityConsole console, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentQueue<string>();
        int finished = 0;
        int cancelled = 0;
        Parallel.ForEach(plan.Tasks, new ParallelOptions { MaxDegreeOfParallelism = parallel }, task =>
        {
            string name = $"[{task.Index + 1}/{plan.Tasks.Count}] {task.Strategy} seed {task.Seed}";
            switch (RunTask(task, name, console, cancellationToken))
            {
                case null:
                    Interlocked.Increment(ref finished);
                    break;
                case "cancelled":
                    Interlocked.Exchange(ref cancelled, 1);
                    break;
                case string failure:
                    failures.Enqueue($"{name}: {failure}");
                    console.Line($"{name}: failed: {failure}");
                    break;
            }
        });
        return new Outcome(finished, [.. failures], cancelled == 1 || cancellationToken.IsCancellationRequested);
    }

    /// <summary>Runs the task's unfinished steps; null when both finished, "cancelled", or the failure.</summary>
    private static string? RunTask(SweepTask task, string name, QualityConsole console, CancellationToken cancellationToken)
    {
        foreach ((string step, Func<IReadOnlyList<string>?> next, string folder) in new (string, Func<IReadOnlyList<string>?>, string)[]
                 {
                     ("search", task.NextSearch, task.SearchFolder), ("evaluate", task.NextEvaluate, task.EvaluateFolder),
                 })
        {
            IReadOnlyList<string>? command = next();
            if (command is null)
            {
                Report(console, task, name, step, "skipped", "finished before, skipped");
                continue;
            }

            if (cancellationToken.IsCancellationRequested) return "cancelled";
            bool resume = command.Contains("--resume");
            Report(console, task, name, step, resume ? "continued" : "started", resume ? "continuing from its checkpoint" : "started");
            var clock = Stopwatch.StartNew();
            string log = Path.Combine(task.Folder, "sweep.log");
            int exit;
            try
            {
                exit = RunChild(command, log, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                return $"{step} could not start ('{command[0]}'): {ex.Message}";
            }

            if (exit == 130 || cancellationToken.IsCancellationRequested) return "cancelled";
            if (exit != 0) return $"{step} exited with code {exit}; see {log}";
            if (!SweepTask.Finished(folder)) return $"{step} ended without a finished result.json in {folder}; see {log}";
            Report(console, task, name, step, "finished", $"finished ({clock.Elapsed.TotalSeconds:0.0} s)");
        }

        return null;
    }

    private static void Report(QualityConsole console, SweepTask task, string name, string step, string state, string text)
    {
        console.Line($"{name}: {step} {text}");
        console.Event("task", new JsonObject { ["index"] = task.Index, ["strategy"] = task.Strategy, ["seed"] = task.Seed, ["step"] = step, ["state"] = state });
    }

    /// <summary>Runs one command with its output appended to <paramref name="logPath"/>; returns the exit code.</summary>
    private static int RunChild(IReadOnlyList<string> command, string logPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        using var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"# {DateTime.Now:yyyy-MM-dd HH:mm:ss} {string.Join(' ', command.Select(TaskScript.Quote))}");
        // In a session of its own (setsid), a child does not get the terminal's Ctrl+C as well: it is interrupted exactly once, below.
        var psi = new ProcessStartInfo(Setsid ?? command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string word in Setsid is null ? command.Skip(1) : command) psi.ArgumentList.Add(word);
        using var process = new Process { StartInfo = psi };
        object gate = new();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellationToken.Register(() => Interrupt(process)))
            process.WaitForExit();
        lock (gate) log.WriteLine($"# exit code {process.ExitCode}");
        return process.ExitCode;
    }

    /// <summary>
    /// Asks a child to stop as Ctrl+C does (SIGINT: it checkpoints at the next step and exits with 130). Without setsid the
    /// child shares the terminal's process group and already got the terminal's Ctrl+C, so it is left alone; on Windows it is killed
    /// (its last epoch checkpoint remains).
    /// </summary>
    private static void Interrupt(Process process)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                process.Kill(entireProcessTree: true);
            }
            else if (Setsid is not null && !process.HasExited)
            {
                using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                kill?.WaitForExit();
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // The child ended meanwhile.
        }
    }
}
