using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>step-process C L B threads steps warmup like-for-like(0|1) [pre-issue-21] [onednn-off]</c>: one process that runs the library's search step
/// (<see cref="SearchStepHarness"/>) and prints, like the PyTorch reference, one JSON object per measured step and a
/// final one with the peak RSS and the minor page faults of the process. Driven by <see cref="PyTorchComparison"/> and
/// <see cref="UnderLoad"/>. <c>threads</c> is a count N, <c>default</c> (TorchSharp's and OpenMP's defaults, nothing set),
/// <c>passive</c> or <c>passive:N</c> (OMP_WAIT_POLICY=PASSIVE, with N threads), or <c>auto</c> (what the CLI chooses
/// for the machine's load when the user gives no thread option: <see cref="Cli.ThreadChoice"/>). <c>pre-issue-21</c>
/// runs the step as before issue 21 (<see cref="SearchStepHarness.Issue21Defaults"/> off); <c>onednn-off</c> turns
/// LibTorch's oneDNN convolutions off first (<see cref="Runtime.TorchConvolutions.SetOneDnnEnabled"/>).
/// </summary>
internal static class StepProcess
{
    public static void Run(string[] args)
    {
        int c = int.Parse(args[0]), l = int.Parse(args[1]), b = int.Parse(args[2]);
        int steps = int.Parse(args[4]), warmup = int.Parse(args[5]);
        bool likeForLike = args[6] == "1";
        string choice = ChooseThreads(args[3]); // before the first TorchSharp call: the wait policy is read when OpenMP loads
        string[] extras = args.Skip(7).ToArray();
        if (extras.Contains("onednn-off")) Runtime.TorchConvolutions.SetOneDnnEnabled(false);
        using var harness = new SearchStepHarness(StepKind.Sparse, c, l, b) { LikeForLike = likeForLike, Issue21Defaults = !extras.Contains("pre-issue-21") };
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

        Console.WriteLine(JsonSerializer.Serialize(new { peakRssMb = ProcessMemory.PeakRssMegabytes(), minorFaults = ProcessMemory.MinorFaults(), threads = get_num_threads(), choice }));
    }

    private static string ChooseThreads(string threads)
    {
        switch (threads)
        {
            case "default":
                return "default";
            case "auto":
                Cli.ThreadChoice chosen = Cli.ThreadChoice.Choose(Cli.MachineLoad.Observe(TimeSpan.FromMilliseconds(200)), null, null);
                Runtime.TorchThreads.SetOpenMpWaitPolicy(chosen.Policy);
                if (chosen.Threads > 0) set_num_threads(chosen.Threads);
                return chosen.Policy == Runtime.OpenMpWaitPolicy.Passive ? "passive" : "default";
            default:
                // N, passive or passive:N
                string[] parts = threads.Split(':');
                bool passive = parts[0] == "passive";
                if (passive) Runtime.TorchThreads.SetOpenMpWaitPolicy(Runtime.OpenMpWaitPolicy.Passive);
                string? count = passive ? parts.ElementAtOrDefault(1) : parts[0];
                if (count is not null) set_num_threads(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
                return threads;
        }
    }
}
