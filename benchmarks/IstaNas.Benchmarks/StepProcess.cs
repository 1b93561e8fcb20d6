using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>step-process C L B threads steps warmup like-for-like(0|1)</c>: one process that runs the library's search step
/// (<see cref="SearchStepHarness"/>) and prints, like the PyTorch reference, one JSON object per measured step and a
/// final one with the peak RSS and the minor page faults of the process. Driven by <see cref="PyTorchComparison"/>.
/// </summary>
internal static class StepProcess
{
    public static void Run(string[] args)
    {
        int c = int.Parse(args[0]), l = int.Parse(args[1]), b = int.Parse(args[2]), threads = int.Parse(args[3]);
        int steps = int.Parse(args[4]), warmup = int.Parse(args[5]);
        bool likeForLike = args[6] == "1";
        set_num_threads(threads);
        using var harness = new SearchStepHarness(StepKind.Sparse, c, l, b) { LikeForLike = likeForLike };
        for (int i = 0; i < warmup; i++) harness.Step();
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            harness.Step();
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                step = i, seconds = Stopwatch.GetElapsedTime(start).TotalSeconds, rssMb = ProcessMemory.RssMegabytes(), peakRssMb = ProcessMemory.PeakRssMegabytes(),
                heapInUseMb = ProcessMemory.Malloc().InUse, heapFreeKeptMb = ProcessMemory.Malloc().FreeKept, mappedMb = ProcessMemory.Malloc().Mapped,
            }));
        }

        Console.WriteLine(JsonSerializer.Serialize(new { peakRssMb = ProcessMemory.PeakRssMegabytes(), minorFaults = ProcessMemory.MinorFaults(), threads = get_num_threads() }));
    }
}
