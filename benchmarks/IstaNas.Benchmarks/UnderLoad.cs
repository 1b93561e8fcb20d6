using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>under-load [--sizes "8 5 32"] [--rounds 3] [--steps 8] [--warmup 2] [--competitors 0,1,2] [--competitor yes|spin2]
/// [--settings default,auto,1,passive:1]</c>: one search step (the two-stage step of <see cref="StepProcess"/>) while 0, 1 or
/// 2 other busy processes share the cores, with the CLI's automatic choice (<c>auto</c>: <see cref="Cli.ThreadChoice"/>,
/// what a user who gives no thread option gets) against the plain defaults (<c>default</c>: OpenMP spins, one thread per
/// core) and, for comparison, other settings of <see cref="StepProcess"/> (<c>1</c>: one thread; <c>passive:1</c>),
/// interleaved: every round runs each competitor count once, and under it every setting, in an order that rotates. A competitor is <c>yes &gt;/dev/null</c>
/// (one busy thread) or, with <c>spin2</c>, a process of two busy threads. The step processes start with no OpenMP
/// variables in their environment. Prints a Markdown table: median and min seconds per step, what <c>auto</c> chose, and
/// the median against the fair share (the idle default's median times the number of busy processes, this one included).
/// </summary>
internal static class UnderLoad
{
    public static void Run(string[] args)
    {
        int rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps") ?? "8", CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup") ?? "2", CultureInfo.InvariantCulture);
        int[] size = [.. (Option(args, "--sizes") ?? "8 5 32").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        int[] competitorCounts = [.. (Option(args, "--competitors") ?? "0,1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        string kind = Option(args, "--competitor") ?? "yes";
        if (kind is not ("yes" or "spin2")) throw new ArgumentException($"--competitor '{kind}' is not known; use yes or spin2.");
        string[] settings = (Option(args, "--settings") ?? "default,auto,1,passive:1").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Console.WriteLine($"# under-load: {rounds} rounds x {steps} steps (+{warmup} warm-up) per process; C={size[0]} L={size[1]} B={size[2]}; " +
                          $"competitors {string.Join(",", competitorCounts)} x {kind}; {Environment.ProcessorCount} cores; load average at start {LoadAverage()}");
        var seconds = new Dictionary<(int, string), List<double>>();
        var chosen = new Dictionary<(int, string), HashSet<string>>();
        for (int round = 0; round < rounds; round++)
            foreach (int competitors in competitorCounts)
            {
                List<Process> busy = [.. Enumerable.Range(0, competitors).Select(_ => StartCompetitor(kind))];
                try
                {
                    Thread.Sleep(500); // the competitors are running before the step process looks at the load
                    foreach (string setting in settings.Skip(round % settings.Length).Concat(settings.Take(round % settings.Length)))
                    {
                        var key = (competitors, setting);
                        if (!seconds.ContainsKey(key)) (seconds[key], chosen[key]) = ([], []);
                        RunStep(size, setting, steps, warmup, seconds[key], chosen[key]);
                        Console.Error.WriteLine($"round {round + 1}: {competitors} x {kind}, {setting}: median so far {Median(seconds[key]):0.000} s");
                    }
                }
                finally
                {
                    foreach (Process p in busy) Stop(p);
                }
            }

        double idle = seconds.TryGetValue((0, "default"), out List<double>? baseline) ? Median(baseline) : double.NaN;
        Console.WriteLine("| busy processes | setting | chosen | median s/step | min s/step | median / fair share |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int competitors in competitorCounts)
            foreach (string setting in settings)
            {
                List<double> s = seconds[(competitors, setting)];
                double fair = idle * (competitors + 1);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {competitors} x {kind} | {setting} | {string.Join("; ", chosen[(competitors, setting)])} | {Median(s):0.000} | {s.Min():0.000} | " +
                    $"{(double.IsNaN(fair) ? "-" : $"{Median(s) / fair:0.00}x")} |"));
            }

        Console.WriteLine($"load average at end {LoadAverage()}");
    }

    /// <summary><c>busy-process N</c>: N threads that spin until the process is killed.</summary>
    public static void Busy(int threads)
    {
        var spinners = new List<Thread>();
        for (int i = 0; i < threads; i++)
        {
            var spinner = new Thread(Spin);
            spinner.Start();
            spinners.Add(spinner);
        }

        spinners.ForEach(t => t.Join());
    }

    private static void Spin()
    {
        long x = 0;
        while (true) x = unchecked(x * 6364136223846793005 + 1442695040888963407);
    }

    private static Process StartCompetitor(string kind)
    {
        ProcessStartInfo psi = kind == "yes"
            ? new ProcessStartInfo("sh", ["-c", "exec yes > /dev/null"])
            : new ProcessStartInfo("dotnet", [typeof(UnderLoad).Assembly.Location, "busy-process", "2"]);
        psi.UseShellExecute = false;
        return Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}.");
    }

    private static void Stop(Process p)
    {
        try
        {
            p.Kill();
            p.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // it has already exited
        }

        p.Dispose();
    }

    private static void RunStep(int[] size, string setting, int steps, int warmup, List<double> into, HashSet<string> chosen)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { typeof(UnderLoad).Assembly.Location, "step-process", $"{size[0]}", $"{size[1]}", $"{size[2]}", setting, $"{steps}", $"{warmup}", "0" })
            psi.ArgumentList.Add(a);
        foreach (string name in new[] { "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT" }) psi.Environment.Remove(name);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        Task<string> err = p.StandardError.ReadToEndAsync();
        while (p.StandardOutput.ReadLine() is string line)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("seconds", out JsonElement s)) into.Add(s.GetDouble());
            if (doc.RootElement.TryGetProperty("choice", out JsonElement c)) chosen.Add(c.GetString()!);
        }

        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"step-process {setting} failed ({p.ExitCode}): {err.Result}");
    }

    private static double Median(List<double> x) => x.Count == 0 ? double.NaN : x.Order().ElementAt(x.Count / 2);

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
