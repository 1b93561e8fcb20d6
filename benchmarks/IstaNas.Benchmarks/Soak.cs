using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>soak [steps=2000] [C=8] [L=5] [B=32]</c>: runs sparse search steps (recovery every 100 steps, as an epoch end) and
/// prints live TorchSharp tensors and the working set after GC at the start (after a warm-up) and at the end.
/// </summary>
internal static class Soak
{
    public static void Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0]) : 2000;
        int c = args.Length > 1 ? int.Parse(args[1]) : 8;
        int l = args.Length > 2 ? int.Parse(args[2]) : 5;
        int b = args.Length > 3 ? int.Parse(args[3]) : 32;
        set_num_threads(2);
        using var h = new SearchStepHarness(StepKind.Sparse, c, l, b);
        h.WarmAllCandidates();
        const int warmUp = 20;
        for (int i = 0; i < warmUp; i++) h.Step();
        (long live0, long ws0) = Measure();
        Console.WriteLine($"soak C={c} L={l} B={b}: after {warmUp} warm-up steps: live tensors {live0}, working set {ws0 / 1e6:0.0} MB");
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            h.Step();
            if ((i + 1) % 100 == 0)
            {
                h.Space!.Recover();
                (long live, long ws) = Measure();
                Console.WriteLine($"  step {i + 1,5}: live tensors {live}, working set {ws / 1e6:0.0} MB, {clock.Elapsed.TotalSeconds / (i + 1):0.000} s/step");
            }
        }
        (long live1, long ws1) = Measure();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"end after {steps} steps ({clock.Elapsed.TotalMinutes:0.0} min): live tensors {live0} -> {live1} ({live1 - live0:+0;-0;0}), " +
                          $"working set {ws0 / 1e6:0.0} -> {ws1 / 1e6:0.0} MB ({(ws1 - ws0) / 1e6:+0.0;-0.0;0.0} MB), peak working set {self.PeakWorkingSet64 / 1e6:0.0} MB");
    }

    internal static (long Live, long WorkingSet) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (DisposeScopeManager.Statistics.ThreadTotalLiveCount, process.WorkingSet64);
    }
}
