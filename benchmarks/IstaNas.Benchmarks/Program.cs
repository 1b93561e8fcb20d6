using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process so that the libLibTorchSharp.so patched at build time in this output folder is the one loaded.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
