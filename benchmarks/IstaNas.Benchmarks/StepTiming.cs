using System.Diagnostics;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>steps [C L B [repeats [threads]]]</c>: sparse and dense search steps (the library's own step, like for like and as the strategy runs it) timed
/// side by side in one process, interleaved round by round so that machine noise hits all of them alike. Prints median
/// seconds per step and ratios.
/// </summary>
internal static class StepTiming
{
    public static void Run(string[] args)
    {
        int c = args.Length > 0 ? int.Parse(args[0]) : 8;
        int l = args.Length > 1 ? int.Parse(args[1]) : 5;
        int b = args.Length > 2 ? int.Parse(args[2]) : 32;
        int repeats = args.Length > 3 ? int.Parse(args[3]) : 5;
        int threads = args.Length > 4 ? int.Parse(args[4]) : 2;
        bool dense = !args.Contains("--no-dense");
        set_num_threads(threads);
        Console.WriteLine($"C={c} L={l} B={b} repeats={repeats} threads={get_num_threads()} interop={get_num_interop_threads()}");
        var variants = new List<(string Name, SearchStepHarness Harness)>
        {
            ("sparse", new SearchStepHarness(StepKind.Sparse, c, l, b) { LikeForLike = true }),
            ("sparse+frozenW", new SearchStepHarness(StepKind.Sparse, c, l, b)),
        };
        if (dense) variants.Add(("dense", new SearchStepHarness(StepKind.Dense, c, l, b) { LikeForLike = true }));
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        foreach (var (n, h) in variants) { var w = Stopwatch.StartNew(); h.Step(); Console.WriteLine($"warm-up {n}: {w.Elapsed.TotalSeconds:0.000} s"); }
        for (int r = 0; r < repeats; r++)
        {
            foreach (var (name, h) in variants)
            {
                var sw = Stopwatch.StartNew();
                h.Step();
                times[name].Add(sw.Elapsed.TotalSeconds);
            }
        }
        double Median(List<double> x) { var s = x.Order().ToArray(); return s[s.Length / 2]; }
        double reference = Median(times["sparse"]);
        foreach (var (name, h) in variants)
        {
            double m = Median(times[name]);
            Console.WriteLine($"{name,-20} median {m,8:0.000} s/step  min {times[name].Min(),8:0.000}  vs sparse {m / reference,6:0.00}x");
        }
        foreach (var (_, h) in variants) h.Dispose();
    }
}
