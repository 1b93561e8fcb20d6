using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>vs-pytorch [--python /usr/bin/python3] [--rounds 3] [--steps 8] [--warmup 2] [--sizes "8 5 32;16 8 64"] [--threads 1,2]
/// [--programs pytorch,like,two-stage] [--env NAME=VALUE]... [--variant NAME=VALUE[,NAME=VALUE]|default]...</c>: the side-by-side comparison of one search step with the PyTorch reference
/// (benchmarks/pytorch/search_step.py, Debian's python3-torch), process by process, interleaved round by round so that
/// machine noise hits all of them alike. Three programs per size and thread count: the PyTorch reference (the authors'
/// step: W's gradients are computed in the architecture step and thrown away), IstaNas like for like (the same), and
/// IstaNas as the two-stage strategy runs it (W frozen in the architecture step). Every process builds the same
/// network with the same supports and measures <c>steps</c> steps after <c>warmup</c> ones. Prints a Markdown table:
/// median and min seconds per step over all rounds, peak RSS, minor page faults, and the ratio of the medians to PyTorch.
/// </summary>
internal static class PyTorchComparison
{
    private sealed record Program(string Name, Func<(int C, int L, int B), int, int, int, ProcessStartInfo> Start);

    private sealed class Measure
    {
        public List<double> Seconds { get; } = [];

        public double PeakRssMb { get; set; }

        public long MinorFaults { get; set; }
    }

    public static void Run(string[] args)
    {
        string python = Option(args, "--python") ?? "/usr/bin/python3";
        int rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps") ?? "8", CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup") ?? "2", CultureInfo.InvariantCulture);
        var sizes = (Option(args, "--sizes") ?? "8 5 32;16 8 64").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.Split(' ').Select(int.Parse).ToArray()).Select(s => (C: s[0], L: s[1], B: s[2])).ToArray();
        int[] threadCounts = [.. (Option(args, "--threads") ?? "1,2").Split(',').Select(int.Parse)];
        var environment = args.Select((a, i) => (a, i)).Where(x => x.a == "--env").Select(x => args[x.i + 1].Split('=', 2)).ToArray();
        // --variant "NAME=VALUE,NAME=VALUE" (repeatable; "default" = no change): every program runs under every variant, interleaved.
        var variants = args.Select((a, i) => (a, i)).Where(x => x.a == "--variant").Select(x => args[x.i + 1])
            .Select(v => (Label: v, Env: v == "default" ? [] : v.Split(',').Select(e => e.Split('=', 2)).ToArray())).ToArray();
        if (variants.Length == 0) variants = [("", [])];
        string script = FindScript("search_step.py");
        string supports;
        using (var probe = new SearchStepHarness(StepKind.Sparse, 4, 3, 2)) supports = probe.SupportsJson(); // the supports depend only on the seed

        ProcessStartInfo Dotnet(params string[] a)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(typeof(PyTorchComparison).Assembly.Location);
            foreach (string x in a) psi.ArgumentList.Add(x);
            return psi;
        }

        Program[] programs =
        [
            new("PyTorch 1.13 reference", (s, t, n, w) =>
            {
                var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string x in new[] { script, "--channels", $"{s.C}", "--layers", $"{s.L}", "--batch", $"{s.B}", "--threads", $"{t}", "--steps", $"{n}", "--warmup", $"{w}", "--supports", supports })
                    psi.ArgumentList.Add(x);
                return psi;
            }),
            new("IstaNas like for like", (s, t, n, w) => Dotnet("step-process", $"{s.C}", $"{s.L}", $"{s.B}", $"{t}", $"{n}", $"{w}", "1")),
            new("IstaNas two-stage step", (s, t, n, w) => Dotnet("step-process", $"{s.C}", $"{s.L}", $"{s.B}", $"{t}", $"{n}", $"{w}", "0")),
        ];

        // --programs pytorch,like,two-stage (default all; PyTorch always runs, it is the reference of the ratios).
        string[] chosen = (Option(args, "--programs") ?? "pytorch,like,two-stage").Split(',');
        programs = [programs[0], .. programs.Skip(1).Where((_, i) => chosen.Contains(i == 0 ? "like" : "two-stage"))];
        string load0 = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        Console.WriteLine($"# vs-pytorch: {rounds} rounds x {steps} steps (+{warmup} warm-up) per process; sizes {string.Join(", ", sizes.Select(s => $"C={s.C} L={s.L} B={s.B}"))}; " +
                          $"threads {string.Join(",", threadCounts)}; load average at start {load0}; {Environment.ProcessorCount} cores; " +
                          $"environment {(environment.Length == 0 ? "unchanged" : string.Join(" ", environment.Select(e => $"{e[0]}={e[1]}")))}");
        var results = new Dictionary<(int, int, int, int, string, string), Measure>();
        for (int round = 0; round < rounds; round++)
            foreach (var size in sizes)
                foreach (int threads in threadCounts)
                    foreach (var variant in variants)
                        foreach (Program program in programs)
                        {
                            ProcessStartInfo psi = program.Start(size, threads, steps, warmup);
                            foreach (string[] e in environment.Concat(variant.Env)) psi.Environment[e[0]] = e[1];
                            var key = (size.C, size.L, size.B, threads, variant.Label, program.Name);
                            if (!results.TryGetValue(key, out Measure? m)) results[key] = m = new Measure();
                            RunOne(psi, m);
                            Console.Error.WriteLine($"round {round + 1}: C={size.C} L={size.L} B={size.B} threads {threads} {variant.Label} {program.Name}: " +
                                                    $"median so far {Median(m.Seconds):0.000} s");
                        }

        string load1 = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        var table = new StringBuilder();
        table.AppendLine("| size | threads | environment | program | median s/step | min s/step | vs PyTorch (median) | peak RSS MB | minor faults |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var size in sizes)
            foreach (int threads in threadCounts)
                foreach (var variant in variants)
                {
                    double reference = Median(results[(size.C, size.L, size.B, threads, variant.Label, programs[0].Name)].Seconds);
                    foreach (Program program in programs)
                    {
                        Measure m = results[(size.C, size.L, size.B, threads, variant.Label, program.Name)];
                        table.AppendLine(CultureInfo.InvariantCulture,
                            $"| C={size.C} L={size.L} B={size.B} | {threads} | {(variant.Label.Length == 0 ? "default" : variant.Label)} | {program.Name} | " +
                            $"{Median(m.Seconds):0.000} | {m.Seconds.Min():0.000} | {Median(m.Seconds) / reference:0.00}x | {m.PeakRssMb:0} | {m.MinorFaults:N0} |");
                    }
                }

        Console.WriteLine(table);
        Console.WriteLine($"load average at end {load1}");
    }

    private static void RunOne(ProcessStartInfo psi, Measure into)
    {
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}.");
        Task<string> err = p.StandardError.ReadToEndAsync();
        while (p.StandardOutput.ReadLine() is string line)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            if (e.TryGetProperty("seconds", out JsonElement s)) into.Seconds.Add(s.GetDouble());
            if (e.TryGetProperty("peakRssMb", out JsonElement rss)) into.PeakRssMb = Math.Max(into.PeakRssMb, rss.GetDouble());
            if (e.TryGetProperty("minorFaults", out JsonElement faults)) into.MinorFaults = Math.Max(into.MinorFaults, faults.GetInt64());
        }

        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} failed ({p.ExitCode}): {err.Result}");
    }

    private static double Median(List<double> x) => x.Count == 0 ? double.NaN : x.Order().ElementAt(x.Count / 2);

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindScript(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "benchmarks", "pytorch", name);
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"benchmarks/pytorch/{name} was not found above the benchmark's folder; run it from a clone of the repository.");
    }

    /// <summary>
    /// <c>vs-pytorch-ops [--python /usr/bin/python3] [--rounds 5] [--threads 1,2] [--batch 64] [--channels 32] [--size 16]
    /// [--env NAME=VALUE]...</c>: forward+backward of each building block of the search cell in PyTorch
    /// (benchmarks/pytorch/ops.py) and in TorchSharp (<see cref="OpTiming"/>), one process each per round, interleaved;
    /// prints the median milliseconds per call of each and their ratio.
    /// </summary>
    public static void RunOps(string[] args)
    {
        string python = Option(args, "--python") ?? "/usr/bin/python3";
        int rounds = int.Parse(Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        int[] threadCounts = [.. (Option(args, "--threads") ?? "1,2").Split(',').Select(int.Parse)];
        string[] shape = ["--batch", Option(args, "--batch") ?? "64", "--channels", Option(args, "--channels") ?? "32", "--size", Option(args, "--size") ?? "16"];
        var environment = args.Select((a, i) => (a, i)).Where(x => x.a == "--env").Select(x => args[x.i + 1].Split('=', 2)).ToArray();
        string script = FindScript("ops.py");
        var programs = new (string Name, Func<int, ProcessStartInfo> Start)[]
        {
            ("PyTorch", t => Start(python, [script, .. shape, "--threads", $"{t}"])),
            ("IstaNas", t => Start("dotnet", [typeof(PyTorchComparison).Assembly.Location, "ops-process", .. shape, "--threads", $"{t}"])),
        };
        Console.WriteLine($"# vs-pytorch-ops: {rounds} rounds, B C size {shape[1]} {shape[3]} {shape[5]}, threads {string.Join(",", threadCounts)}; " +
                          $"load average at start {LoadAverage()}; {Environment.ProcessorCount} cores");
        var ms = new Dictionary<(string Op, int Threads, string Program), List<double>>();
        var order = new List<string>();
        for (int round = 0; round < rounds; round++)
            foreach (int threads in threadCounts)
                foreach (var program in programs)
                {
                    ProcessStartInfo psi = program.Start(threads);
                    foreach (string[] e in environment) psi.Environment[e[0]] = e[1];
                    using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}.");
                    Task<string> err = p.StandardError.ReadToEndAsync();
                    while (p.StandardOutput.ReadLine() is string line)
                    {
                        using JsonDocument doc = JsonDocument.Parse(line);
                        string op = doc.RootElement.GetProperty("op").GetString()!;
                        if (!order.Contains(op)) order.Add(op);
                        var key = (op, threads, program.Name);
                        if (!ms.TryGetValue(key, out List<double>? list)) ms[key] = list = [];
                        list.Add(doc.RootElement.GetProperty("ms").GetDouble());
                    }

                    p.WaitForExit();
                    if (p.ExitCode != 0) throw new InvalidOperationException($"{psi.FileName} failed ({p.ExitCode}): {err.Result}");
                    Console.Error.WriteLine($"round {round + 1}: threads {threads} {program.Name} done");
                }

        Console.WriteLine("| operation | threads | PyTorch ms | IstaNas ms | IstaNas / PyTorch |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (int threads in threadCounts)
            foreach (string op in order)
            {
                // An operation only one side has (IstaNas' plain-TorchSharp variants) shows "-" on the other.
                double torch = ms.TryGetValue((op, threads, "PyTorch"), out List<double>? t) ? Median(t) : double.NaN;
                double ours = ms.TryGetValue((op, threads, "IstaNas"), out List<double>? o) ? Median(o) : double.NaN;
                string Cell(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000", CultureInfo.InvariantCulture);
                string ratio = double.IsNaN(torch) || double.IsNaN(ours) ? "-" : string.Create(CultureInfo.InvariantCulture, $"{ours / torch:0.00}x");
                Console.WriteLine($"| {op} | {threads} | {Cell(torch)} | {Cell(ours)} | {ratio} |");
            }

        Console.WriteLine($"load average at end {LoadAverage()}");
    }

    private static ProcessStartInfo Start(string file, string[] arguments)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        return psi;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
