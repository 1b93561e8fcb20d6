using System.Diagnostics;
using IstaNas.Data;
using IstaNas.Strategies;
using IstaNas.Training;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>epoch [steps=10] [C=16] [L=8] [B=64] [images=50000] [threads=2]</c>: the two-stage strategy itself (data loading with
/// augmentation, the b-step and W-step, the recovery of z) on the synthetic set at the proxy size, capped at
/// <c>steps</c> minibatches; the full epoch (images / 2 / B steps) is extrapolated linearly from the measured mean step,
/// and says so.
/// </summary>
internal static class EpochRun
{
    public static void Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0]) : 10;
        int c = args.Length > 1 ? int.Parse(args[1]) : 16;
        int l = args.Length > 2 ? int.Parse(args[2]) : 8;
        int b = args.Length > 3 ? int.Parse(args[3]) : 64;
        int images = args.Length > 4 ? int.Parse(args[4]) : 50_000;
        set_num_threads(args.Length > 5 ? int.Parse(args[5]) : 2);
        ImageDataset data = Synthetic.Create(Math.Max(2 * b * (steps + 1), 512), 1);
        var stepTimes = new List<double>();
        long last = 0;
        var clock = Stopwatch.StartNew();
        SearchResult result = new SearchBuilder()
            .UseDataset(data)
            .UseTwoStage(o =>
            {
                o.Epochs = 1;
                o.Channels = c;
                o.Layers = l;
                o.BatchSize = b;
                o.MaxStepsPerEpoch = steps;
            })
            .UseSeed(1)
            .WithStepProgress(new Inline<StepReport>(_ =>
            {
                long now = Stopwatch.GetTimestamp();
                if (last != 0) stepTimes.Add(Stopwatch.GetElapsedTime(last, now).TotalSeconds);
                last = now;
            }))
            .Build()
            .Run();
        EpochReport epoch = result.History[0];
        using var self = Process.GetCurrentProcess();
        int fullSteps = images / 2 / b;
        double perStep = stepTimes.Order().ElementAt(stepTimes.Count / 2);
        double extrapolated = (perStep * fullSteps) + epoch.RecoveryTime.TotalSeconds;
        Console.WriteLine($"two-stage epoch, C={c} L={l} B={b}, {steps} of {fullSteps} steps run (threads {get_num_threads()})");
        Console.WriteLine($"  run: {clock.Elapsed.TotalSeconds:0.00} s in all (set-up, first step, the rest), epoch {epoch.Elapsed.TotalSeconds:0.00} s, " +
                          $"recovery {epoch.RecoveryTime.TotalMilliseconds:0.0} ms");
        Console.WriteLine($"  per step (median of steps 2..{steps}, data loading included): {perStep:0.000} s");
        Console.WriteLine($"  extrapolated full epoch ({fullSteps} steps of {images / 2} images each side, linear in steps): {extrapolated / 60:0.0} min; " +
                          $"50 epochs: {extrapolated * 50 / 3600:0.0} h");
        Console.WriteLine($"  peak working set {self.PeakWorkingSet64 / 1e6:0} MB, working set now {self.WorkingSet64 / 1e6:0} MB");
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
