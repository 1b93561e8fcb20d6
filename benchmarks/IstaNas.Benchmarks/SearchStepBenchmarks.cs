using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// One search step (architecture step on a validation batch + W-step with clip 5 on a training batch, 32x32 random
/// input, 10 classes, 2 threads): ISTA-NAS sparse (7 ops, 2 candidates per node) against DARTS dense (none + 7 ops,
/// every candidate, softmax), at C=8 L=5 B=32 and at the paper's proxy size C=16 L=8 B=64. DARTS is the baseline of
/// each size, so the Ratio column is sparse / dense. Few iterations: a dense proxy step takes seconds.
/// <c>dotnet run -c Release --project benchmarks/IstaNas.Benchmarks -- --filter *SearchStep*</c>
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
[WarmupCount(1)]
[IterationCount(3)]
[InvocationCount(1)]
public class SearchStepBenchmarks
{
    private SearchStepHarness _sparse = null!;
    private SearchStepHarness _sparseFrozenW = null!;
    private SearchStepHarness _dense = null!;

    /// <summary>The sizes, "C L B"; ISTANAS_STEP_SIZES (";"-separated) overrides them, e.g. "8 5 32" for a quick run.</summary>
    public static IEnumerable<string> Sizes =>
        Environment.GetEnvironmentVariable("ISTANAS_STEP_SIZES")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        ?? ["8 5 32", "16 8 64"];

    /// <summary>"C L B".</summary>
    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "8 5 32";

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        int[] s = Size.Split(' ').Select(int.Parse).ToArray();
        _sparse = new SearchStepHarness(StepKind.Sparse, s[0], s[1], s[2]) { LikeForLike = true };
        _sparseFrozenW = new SearchStepHarness(StepKind.Sparse, s[0], s[1], s[2]);
        _dense = new SearchStepHarness(StepKind.Dense, s[0], s[1], s[2]) { LikeForLike = true };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sparse.Dispose();
        _sparseFrozenW.Dispose();
        _dense.Dispose();
    }

    /// <summary>DARTS, dense: every candidate of every edge runs.</summary>
    [Benchmark(Baseline = true)]
    public void DartsDense() => _dense.Step();

    /// <summary>ISTA-NAS, sparse: the two candidates of the support run (W's gradients computed in the b-step too, as DARTS here).</summary>
    [Benchmark]
    public void IstaNasSparse() => _sparse.Step();

    /// <summary>ISTA-NAS, sparse, the step the two-stage strategy runs: W frozen in the b-step.</summary>
    [Benchmark]
    public void IstaNasSparseNoWGradInBStep() => _sparseFrozenW.Step();
}
