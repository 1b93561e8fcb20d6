using BenchmarkDotNet.Attributes;
using IstaNas.SparseCoding;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// Recovery of the 8 sparse codes of the default ISTA-NAS space (m = 7, lambda = 1e-5, float64, tolerance 1e-6
/// on the scaled KKT residual): the exact managed active-set coder (the Auto default for this space), batched
/// FISTA and ISTA on tensors, against the exact dense homotopy, node by node.
/// Warm: b moved by 1% (one search step) and the previous codes as the start (the per-epoch case of a search).
/// </summary>
public class RecoveryBenchmarks
{
    private Tensor[] _a = [];
    private Tensor[] _b = [];
    private Matrix<double>[] _denseA = [];
    private Vector<double>[] _denseB = [];
    private SparseCodingProblem? _problem;
    private SparseCodingProblem? _moved;
    private Tensor? _previous;
    private TensorSparseCoder _fista = null!;
    private TensorSparseCoder _ista = null!;
    private DenseLassoSolver _dense = null!;
    private ISparseCoder _activeSet = null!;
    private ISparseCoder _auto = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        (_a, _b) = RecoveryData.DefaultSpace(seed: 1);
        _denseA = RecoveryData.ToMatrices(_a);
        _denseB = RecoveryData.ToVectors(_b);
        _problem = SparseCodingProblem.Create(_a, _b);
        using (var scope = NewDisposeScope())
        {
            _moved = _problem.WithB(_problem.B * (1 + (0.01 * randn(_problem.B.shape, ScalarType.Float64, generator: new Generator(2)))));
        }

        _fista = new TensorSparseCoder(new SparseCoderOptions { Method = SparseCodingMethod.Fista });
        _ista = new TensorSparseCoder(new SparseCoderOptions { Method = SparseCodingMethod.Ista });
        _dense = new DenseLassoSolver(SparseCoderOptions.DefaultLambda);
        _activeSet = SparseCoder.Create(new SparseCoderOptions { Method = SparseCodingMethod.ActiveSet });
        _auto = SparseCoder.Create(new SparseCoderOptions());
        using var first = _fista.Solve(_problem);
        _previous = first.Z.clone();
        Report("FISTA cold", _fista, _problem, null);
        Report("FISTA warm", _fista, _moved, _previous);
        Report("ISTA cold", _ista, _problem, null);
        Report("active set cold", _activeSet, _problem, null);
        Report("active set warm", _activeSet, _moved, _previous);
        var dense = _dense.SolveAll(_denseA, _denseB);
        Console.WriteLine($"// dense: steps [{string.Join(", ", dense.Select(r => r.Iterations))}], max KKT {dense.Max(r => r.KktResidual):E1}, provider {_dense.LinearAlgebraProvider}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _problem?.Dispose();
        _moved?.Dispose();
        _previous?.Dispose();
        RecoveryData.Dispose(_a);
        RecoveryData.Dispose(_b);
    }

    [Benchmark(Baseline = true, Description = "Dense homotopy, node by node")]
    public int Dense() => _dense.SolveAll(_denseA, _denseB).Sum(r => r.Iterations);

    [Benchmark(Description = "Active set (managed), cold")]
    public int ActiveSetCold()
    {
        using var result = _activeSet.Solve(_problem!);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "Active set (managed), warm")]
    public int ActiveSetWarm()
    {
        using var result = _activeSet.Solve(_moved!, _previous);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "Auto (SparseCoder.Create default), warm")]
    public int AutoWarm()
    {
        using var result = _auto.Solve(_moved!, _previous);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "FISTA batched, cold")]
    public int FistaCold()
    {
        using var result = _fista.Solve(_problem!);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "FISTA batched, warm")]
    public int FistaWarm()
    {
        using var result = _fista.Solve(_moved!, _previous);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "ISTA batched, cold")]
    public int IstaCold()
    {
        using var result = _ista.Solve(_problem!);
        return result.Iterations.Max();
    }

    [Benchmark(Description = "ISTA batched, warm")]
    public int IstaWarm()
    {
        using var result = _ista.Solve(_moved!, _previous);
        return result.Iterations.Max();
    }

    private static void Report(string name, ISparseCoder coder, SparseCodingProblem problem, Tensor? start)
    {
        using var r = coder.Solve(problem, start);
        Console.WriteLine($"// {name}: iterations [{string.Join(", ", r.Iterations)}], converged {r.Converged.Count(c => c)}/{r.Converged.Length}, max KKT {r.KktResidual.Max():E1}");
    }
}
