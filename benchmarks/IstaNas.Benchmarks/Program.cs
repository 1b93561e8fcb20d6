using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using IstaNas.Benchmarks;

// Measured runs outside BenchmarkDotNet (side-by-side step timing, one epoch, soak).
switch (args.FirstOrDefault())
{
    case "steps":
        StepTiming.Run(args.Skip(1).ToArray());
        return;
    case "epoch":
        EpochRun.Run(args.Skip(1).ToArray());
        return;
    case "soak":
        Soak.Run(args.Skip(1).ToArray());
        return;
    case "step-process":
        StepProcess.Run(args.Skip(1).ToArray());
        return;
    case "supports":
        // The supports every step process uses (they depend on the seed only), for running benchmarks/pytorch/search_step.py by hand.
        using (var probe = new SearchStepHarness(StepKind.Sparse, 4, 3, 2)) Console.WriteLine(probe.SupportsJson());
        return;
    case "vs-pytorch":
        PyTorchComparison.Run(args.Skip(1).ToArray());
        return;
    case "ops-process":
        OpTiming.Run(args.Skip(1).ToArray());
        return;
    case "under-load":
        UnderLoad.Run(args.Skip(1).ToArray());
        return;
    case "conv-check":
        ConvolutionCheck.Run();
        return;
    case "onednn":
        OneDnnTiming.Run(args.Skip(1).ToArray());
        return;
    case "step-vs-build":
        StepVsBuild.Run(args.Skip(1).ToArray());
        return;
    case "busy-process":
        UnderLoad.Busy(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
        return;
    case "vs-pytorch-ops":
        PyTorchComparison.RunOps(args.Skip(1).ToArray());
        return;
    case "nb201-proxies":
        Nb201ProxyCorrelation.Run(args.Skip(1).ToArray());
        return;
    case "nb201-jacobcov":
        Nb201ProxyDump.Run(args.Skip(1).ToArray());
        return;
    case "nb201-proxies-merge":
        Nb201ProxyCorrelation.Merge(args.Skip(1).ToArray());
        return;
}

// In-process so that the libLibTorchSharp.so patched at build time in this output folder is the one loaded.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(3).WithLaunchCount(1))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
// With no arguments every BenchmarkDotNet class runs (no interactive menu): one command for the whole suite.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
