using System.Globalization;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>onednn [--sizes "16 8 64;8 5 32"] [--rounds 6] [--steps 5] [--warmup 2] [--threads 2]</c>: the two-stage search step
/// of the DARTS cell (<see cref="StepProcess"/>) with LibTorch's oneDNN convolutions on and off
/// (<see cref="Runtime.TorchConvolutions.SetOneDnnEnabled"/>), and on with its kernels capped at AVX2
/// (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>), interleaved: every round starts one step process of each, in an order that rotates. What turning oneDNN off (the CLI's answer to CPUs whose oneDNN gradients are wrong) costs.
/// The DARTS cell's convolutions (depthwise, 1 x 1) are not among those the fault touches, so both variants train alike.
/// Prints median and min seconds per step per size, and off's median against on's, with the load average before and after.
/// </summary>
internal static class OneDnnTiming
{
    public static void Run(string[] args)
    {
        int rounds = int.Parse(StepVsBuild.Option(args, "--rounds") ?? "6", CultureInfo.InvariantCulture);
        int steps = int.Parse(StepVsBuild.Option(args, "--steps") ?? "5", CultureInfo.InvariantCulture);
        int warmup = int.Parse(StepVsBuild.Option(args, "--warmup") ?? "2", CultureInfo.InvariantCulture);
        string threads = StepVsBuild.Option(args, "--threads") ?? "2";
        string[][] sizes = (StepVsBuild.Option(args, "--sizes") ?? "16 8 64;8 5 32").Split(';')
            .Select(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        string self = typeof(OneDnnTiming).Assembly.Location;
        (string Name, string? Extra, string? Isa)[] variants = [("oneDNN on", null, null), ("oneDNN off", "onednn-off", null), ("oneDNN on, ONEDNN_MAX_CPU_ISA=AVX2", null, "AVX2")];
        Console.WriteLine($"# onednn: {rounds} rounds x {steps} steps (+{warmup} warm-up) per process; {threads} threads; " +
                          $"{Environment.ProcessorCount} cores; load average at start {StepVsBuild.LoadAverage()}");
        Console.WriteLine("| C L B | variant | median s/step | min s/step | median / on's |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (string[] size in sizes)
        {
            var seconds = variants.ToDictionary(v => v.Name, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
                foreach (var (name, extra, isa) in variants.Skip(round % variants.Length).Concat(variants.Take(round % variants.Length)))
                {
                    StepVsBuild.RunStep(self, size, threads, steps, warmup, extra, seconds[name],
                        isa is null ? null : new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = isa });
                    Console.Error.WriteLine($"{string.Join(' ', size)} round {round + 1}: {name}: median so far {StepVsBuild.Median(seconds[name]):0.000} s");
                }

            double reference = StepVsBuild.Median(seconds["oneDNN on"]);
            foreach (var (name, _, _) in variants)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {string.Join(' ', size)} | {name} | {StepVsBuild.Median(seconds[name]):0.000} | {seconds[name].Min():0.000} | {StepVsBuild.Median(seconds[name]) / reference:0.000} |"));
        }

        Console.WriteLine($"load average at end {StepVsBuild.LoadAverage()}");
    }
}
