using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>step-vs-build OTHER.dll [--sizes "16 8 64"] [--rounds 8] [--steps 5] [--warmup 2] [--threads 2]</c>: the two-stage
/// search step of the DARTS cell (<see cref="StepProcess"/>) in this build against another build of this driver (another
/// commit; benchmarks/step-vs-commit.sh makes it), interleaved: every round starts one step process of each variant, in
/// an order that rotates. Variants: <c>other</c> (the other build's step), <c>this, pre-issue-21</c> (this build, the
/// same step semantics as before issue 21: like for like with a commit before it) and <c>this, defaults</c> (this build
/// at today's defaults: b in the clip, idle candidates stepped). Prints median and min seconds per step and each
/// median against <c>other</c>'s, with the load average before and after.
/// </summary>
internal static class StepVsBuild
{
    public static void Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
            throw new ArgumentException($"step-vs-build needs the path of another build's IstaNas.Benchmarks.dll as its first argument; got '{args.FirstOrDefault()}'.");
        string other = Path.GetFullPath(args[0]);
        int rounds = int.Parse(Option(args, "--rounds") ?? "8", CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps") ?? "5", CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup") ?? "2", CultureInfo.InvariantCulture);
        string threads = Option(args, "--threads") ?? "2";
        string[] size = (Option(args, "--sizes") ?? "16 8 64").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string self = typeof(StepVsBuild).Assembly.Location;
        (string Name, string Dll, string? Extra)[] variants =
        [
            ("other", other, null),
            ("this, pre-issue-21", self, "pre-issue-21"),
            ("this, defaults", self, null),
        ];
        Console.WriteLine($"# step-vs-build: {rounds} rounds x {steps} steps (+{warmup} warm-up) per process; C={size[0]} L={size[1]} B={size[2]}; " +
                          $"{threads} threads; {Environment.ProcessorCount} cores; load average at start {LoadAverage()}");
        Console.WriteLine($"# other: {other}");
        var seconds = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (int round = 0; round < rounds; round++)
            foreach (var (name, dll, extra) in variants.Skip(round % variants.Length).Concat(variants.Take(round % variants.Length)))
            {
                RunStep(dll, size, threads, steps, warmup, extra, seconds[name]);
                Console.Error.WriteLine($"round {round + 1}: {name}: median so far {Median(seconds[name]):0.000} s");
            }

        double reference = Median(seconds["other"]);
        Console.WriteLine("| variant | median s/step | min s/step | median / other's |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, _, _) in variants)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(seconds[name]):0.000} | {seconds[name].Min():0.000} | {Median(seconds[name]) / reference:0.000} |"));
        Console.WriteLine($"load average at end {LoadAverage()}");
    }

    internal static void RunStep(string dll, string[] size, string threads, int steps, int warmup, string? extra, List<double> into,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { dll, "step-process", size[0], size[1], size[2], threads, $"{steps}", $"{warmup}", "0" })
            psi.ArgumentList.Add(a);
        if (extra is not null) psi.ArgumentList.Add(extra);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        Task<string> err = p.StandardError.ReadToEndAsync();
        while (p.StandardOutput.ReadLine() is string line)
        {
            if (!line.StartsWith('{')) continue;
            using JsonDocument doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("seconds", out JsonElement s)) into.Add(s.GetDouble());
        }

        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"step-process of {dll} failed ({p.ExitCode}): {err.Result}");
    }

    internal static double Median(List<double> x) => x.Count == 0 ? double.NaN : x.Order().ElementAt(x.Count / 2);

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
