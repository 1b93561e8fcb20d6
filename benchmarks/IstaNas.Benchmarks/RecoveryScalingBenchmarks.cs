using BenchmarkDotNet.Attributes;
using IstaNas.SparseCoding;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>One point of the scaling series.</summary>
/// <param name="N">n: code length.</param>
/// <param name="Batch">B: number of independent problems.</param>
public sealed record ScalingCase(int N, int Batch)
{
    /// <inheritdoc />
    public override string ToString() => $"n={N},m={N / 10},B={Batch}";
}

/// <summary>
/// Planted sparse recovery at growing size (m = n / 10, s = m / 10 non-zeros, lambda = 0.1, tolerance 1e-4,
/// tensors in float32, dense reference in float64): where batched tensors beat the node-by-node dense solver, and
/// the managed active-set coder (float64 inside, on the same float32 problem; cold).
/// n = 10000 is in <see cref="RecoveryScalingLargeBenchmarks"/> (tensors only, batch 1).
/// </summary>
public class RecoveryScalingBenchmarks
{
    private Tensor[] _a = [];
    private Tensor[] _b = [];
    private Matrix<double>[] _denseA = [];
    private Vector<double>[] _denseB = [];
    private SparseCodingProblem? _problem;
    private TensorSparseCoder _fista = null!;
    private TensorSparseCoder _ista = null!;
    private DenseLassoSolver _dense = null!;
    private ISparseCoder _activeSet = null!;

    // Skipped: n = 1000 with B = 256 (25.6 M entries of A; ISTA alone would take minutes per operation on this
    // shared 2-core machine).
    public static IEnumerable<ScalingCase> Cases() =>
        [new(100, 1), new(100, 16), new(100, 256), new(1000, 1), new(1000, 16)];

    [ParamsSource(nameof(Cases))]
    public ScalingCase Case { get; set; } = new(100, 1);

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        (_a, _b) = RecoveryData.Planted(Case.N, Case.Batch, seed: 3, ScalarType.Float32);
        _denseA = RecoveryData.ToMatrices(_a);
        _denseB = RecoveryData.ToVectors(_b);
        _problem = SparseCodingProblem.Create(_a, _b);
        var options = new SparseCoderOptions { Lambda = 0.1, Tolerance = 1e-4, MaxIterations = 2000 };
        _fista = new TensorSparseCoder(options);
        options.Method = SparseCodingMethod.Ista;
        _ista = new TensorSparseCoder(options);
        _dense = new DenseLassoSolver(0.1);
        options.Method = SparseCodingMethod.ActiveSet;
        _activeSet = SparseCoder.Create(options);
        Report("FISTA", _fista, _problem);
        Report("active set", _activeSet, _problem);
        Report("ISTA", _ista, _problem);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _problem?.Dispose();
        RecoveryData.Dispose(_a);
        RecoveryData.Dispose(_b);
    }

    [Benchmark(Baseline = true, Description = "Dense homotopy, one by one")]
    public int Dense() => _dense.SolveAll(_denseA, _denseB).Sum(r => r.Iterations);

    [Benchmark(Description = "Active set (managed), one by one")]
    public int ActiveSet()
    {
        using var result = _activeSet.Solve(_problem!);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "FISTA batched")]
    public int Fista()
    {
        using var result = _fista.Solve(_problem!);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "ISTA batched")]
    public int Ista()
    {
        using var result = _ista.Solve(_problem!);
        return result.Iterations.Max();
    }

    internal static void Report(string name, ISparseCoder coder, SparseCodingProblem problem)
    {
        using var r = coder.Solve(problem);
        Console.WriteLine($"// {name} {problem.BatchSize}x[{problem.Rows}x{problem.MaxColumns}]: max iterations {r.Iterations.Max()}, converged {r.Converged.Count(c => c)}/{r.Converged.Length}, max KKT {r.KktResidual.Max():E1}");
    }
}

/// <summary>
/// n = 10000, m = 1000, batch 1, tensors only (float32). Skipped: the dense homotopy (about 100 breakpoints, each a QR of a
/// 1000 x k matrix in managed code, seconds per problem) and batches 16 / 256 (1.3 / 20 GB of padded A in float64,
/// and minutes per benchmark on 2 cores).
/// </summary>
public class RecoveryScalingLargeBenchmarks
{
    private Tensor[] _a = [];
    private Tensor[] _b = [];
    private SparseCodingProblem? _problem;
    private TensorSparseCoder _fista = null!;
    private TensorSparseCoder _ista = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        (_a, _b) = RecoveryData.Planted(10000, 1, seed: 3, ScalarType.Float32);
        _problem = SparseCodingProblem.Create(_a, _b);
        var options = new SparseCoderOptions { Lambda = 0.1, Tolerance = 1e-4, MaxIterations = 2000 };
        _fista = new TensorSparseCoder(options);
        options.Method = SparseCodingMethod.Ista;
        _ista = new TensorSparseCoder(options);
        RecoveryScalingBenchmarks.Report("FISTA", _fista, _problem);
        RecoveryScalingBenchmarks.Report("ISTA", _ista, _problem);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _problem?.Dispose();
        RecoveryData.Dispose(_a);
        RecoveryData.Dispose(_b);
    }

    [Benchmark(Baseline = true, Description = "FISTA batched, n=10000, m=1000, B=1")]
    public int Fista()
    {
        using var result = _fista.Solve(_problem!);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "ISTA batched, n=10000, m=1000, B=1")]
    public int Ista()
    {
        using var result = _ista.Solve(_problem!);
        return result.Iterations.Max();
    }
}
