using IstaNas.SparseCoding;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.SparseCoding;

public class ActiveSetSparseCoderTests
{
    private static readonly int[] DefaultSpace = { 14, 21, 28, 35, 14, 21, 28, 35 };
    private readonly ITestOutputHelper _output;

    public ActiveSetSparseCoderTests(ITestOutputHelper output) => _output = output;

    private static ActiveSetSparseCoder Coder(double lambda = 1e-5, double tolerance = 1e-10) =>
        new(new SparseCoderOptions { Method = SparseCodingMethod.ActiveSet, Lambda = lambda, Tolerance = tolerance });

    private static TestProblem Make(bool uniform, int m, int n, int seed, double bScale = 1e-3) =>
        uniform ? TestProblems.Uniform(m, n, seed, bScale) : TestProblems.NormalisedGaussian(m, n, seed, bScale);

    public static TheoryData<int, bool, double, double> KktCases() => new()
    {
        // m, uniform A, lambda, b scale
        { 7, true, 1e-5, 1e-3 }, { 7, false, 1e-5, 1e-3 }, { 7, true, 1e-4, 1e-3 }, { 7, false, 1e-6, 1e-3 },
        { 7, true, 1e-3, 1 }, { 5, false, 1e-4, 1e-2 }, { 12, true, 0.2, 1 }, { 20, false, 1e-5, 1e-3 },
        { 30, false, 1e-4, 1 }, { 40, true, 1e-5, 1e-3 },
    };

    [Theory]
    [MemberData(nameof(KktCases))]
    public void KktConditionsHoldTo1e10(int m, bool uniform, double lambda, double bScale)
    {
        var columns = new[] { 14, 21, 28, 35, 40, 17, m + 3, 3 * m };
        for (var round = 0; round < 5; round++)
        {
            var problems = columns.Select((n, i) => Make(uniform, m, n, (100 * round) + i, bScale)).ToArray();
            using var batch = TestProblems.ToBatch(problems);
            using var result = Coder(lambda).Solve(batch);
            for (var i = 0; i < problems.Length; i++)
            {
                var z = Vector<double>.Build.DenseOfArray(result.CodeArray(i));
                var kkt = KktResidual.Compute(problems[i].A, problems[i].B, z, lambda);
                Assert.True(kkt <= 1e-10, $"round {round} problem {i} (n = {columns[i]}): KKT residual {kkt:E3} after {result.Iterations[i]} pivots");
                Assert.True(result.Converged[i]);
                Assert.Equal(kkt, result.KktResidual[i], 1e-13);
                Assert.Equal(KktResidual.Objective(problems[i].A, problems[i].B, z, lambda), result.Objective[i], 1e-13 * result.Objective[i]);
                Assert.True(result.Iterations[i] > 0);
            }
        }
    }

    [Fact]
    public void DefaultSpaceIsExactTo1e12()
    {
        var worst = 0.0;
        for (var seed = 0; seed < 50; seed++)
        {
            var problems = DefaultSpace.Select((n, i) => Make(seed % 2 == 0, 7, n, (1000 * seed) + i)).ToArray();
            using var batch = TestProblems.ToBatch(problems);
            using var result = Coder().Solve(batch);
            worst = Math.Max(worst, result.KktResidual.Max());
        }

        _output.WriteLine($"worst scaled KKT residual over 400 default-space problems: {worst:E2}");
        Assert.True(worst <= 1e-12, $"worst KKT residual {worst:E3}");
    }

    [Fact]
    public void MatchesDenseSolver()
    {
        var dense = new DenseLassoSolver(1e-5);
        var compared = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var m = seed < 30 ? 7 : 12;
            var problems = DefaultSpace.Select((n, i) => Make(seed % 2 == 0, m, n + (seed % 5), (1000 * seed) + i)).ToArray();
            using var batch = TestProblems.ToBatch(problems);
            using var result = Coder().Solve(batch);
            for (var i = 0; i < problems.Length; i++)
            {
                var reference = dense.Solve(problems[i].A, problems[i].B);
                Assert.True(result.KktResidual[i] <= 1e-10, $"seed {seed} problem {i}: KKT {result.KktResidual[i]:E3}");
                if (reference.KktResidual > 1e-10)
                {
                    continue;                                    // the dense solver's known gap; not a reference here
                }

                compared++;
                Assert.Equal(reference.Objective, result.Objective[i], 1e-9 * reference.Objective);
                var z = result.CodeArray(i);
                var support = Enumerable.Range(0, z.Length).Where(j => z[j] != 0).ToArray();
                var denseSupport = Enumerable.Range(0, z.Length).Where(j => reference.Z[j] != 0).ToArray();
                Assert.Equal(denseSupport, support);
            }
        }

        Assert.True(compared > 300);
    }

    [Fact]
    public void ExactWhereTheDenseSolverHasItsGap()
    {
        // 2000 seeded problems, m = 5..24, n = 14..40, uniform and column-normalised Gaussian A, lambda = 1e-5: the
        // sweep on which DenseLassoSolver leaves a few (m >= 11, active set at m) at KKT 2e-4..5e-3.
        var dense = new DenseLassoSolver(1e-5);
        var coder = Coder();
        var rng = new Random(11);
        double worst = 0, worstDense = 0;
        var denseMisses = 0;
        for (var batchIndex = 0; batchIndex < 250; batchIndex++)
        {
            var m = 5 + rng.Next(20);
            var problems = Enumerable.Range(0, 8)
                .Select(i => Make(i % 2 == 0, m, 14 + rng.Next(27), (10000 * batchIndex) + i)).ToArray();
            using var batch = TestProblems.ToBatch(problems);
            using var result = coder.Solve(batch);
            worst = Math.Max(worst, result.KktResidual.Max());
            foreach (var p in problems)
            {
                var reference = dense.Solve(p.A, p.B).KktResidual;
                worstDense = Math.Max(worstDense, reference);
                denseMisses += reference > 1e-10 ? 1 : 0;
            }
        }

        _output.WriteLine($"active set: worst KKT {worst:E2}; dense: worst {worstDense:E2}, {denseMisses} of 2000 above 1e-10");
        Assert.True(worst <= 1e-10, $"worst KKT residual {worst:E3}");
    }

    [Fact]
    public void WarmStartAfterSmallChangeNeedsFewerPivots()
    {
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, 50 + i)).ToArray();
        using var scope = NewDisposeScope();
        using var batch = TestProblems.ToBatch(problems);
        var coder = Coder();
        using var first = coder.Solve(batch);
        using var moved = batch.WithB(batch.B * (1 + (0.01 * randn(batch.B.shape, ScalarType.Float64, generator: new Generator(5)))));
        using var cold = coder.Solve(moved);
        using var warm = coder.Solve(moved, first.Z);
        _output.WriteLine($"cold pivots [{string.Join(", ", cold.Iterations)}], warm [{string.Join(", ", warm.Iterations)}]");
        Assert.True(warm.Iterations.Sum() < cold.Iterations.Sum());
        for (var i = 0; i < problems.Length; i++)
        {
            Assert.True(warm.KktResidual[i] <= 1e-12, $"problem {i}: warm KKT {warm.KktResidual[i]:E3}");
            Assert.True(warm.Iterations[i] <= cold.Iterations[i]);
            Assert.Equal(cold.Objective[i], warm.Objective[i], 1e-10 * cold.Objective[i]);
        }

        // From the exact solution of the same b: one pivot per problem.
        using var again = coder.Solve(moved, warm.Z);
        Assert.All(again.Iterations, it => Assert.Equal(1, it));
        Assert.True(again.KktResidual.Max() <= 1e-12);
    }

    [Fact]
    public void ArbitraryWarmStartsStillGiveTheSolution()
    {
        var problems = DefaultSpace.Select((n, i) => TestProblems.NormalisedGaussian(7, n, 70 + i)).ToArray();
        using var scope = NewDisposeScope();
        using var batch = TestProblems.ToBatch(problems);
        var coder = Coder();
        using var reference = coder.Solve(batch);

        // Dense random start (more than m non-zeros), and a sparse random one.
        var dense = randn(new long[] { 8, 35 }, ScalarType.Float64, generator: new Generator(1));
        var sparse = dense * rand(new long[] { 8, 35 }, ScalarType.Float64, generator: new Generator(2)).lt(0.1);
        foreach (var start in new[] { dense, sparse, zeros(8, 35, ScalarType.Float64) })
        {
            using var result = coder.Solve(batch, start);
            for (var i = 0; i < problems.Length; i++)
            {
                Assert.True(result.KktResidual[i] <= 1e-12, $"problem {i}: KKT {result.KktResidual[i]:E3}");
                Assert.Equal(reference.Objective[i], result.Objective[i], 1e-10 * reference.Objective[i]);
            }
        }
    }

    [Fact]
    public void ZeroBGivesZero()
    {
        var problems = DefaultSpace.Select((n, i) => new TestProblem(TestProblems.Uniform(7, n, i).A, Vector<double>.Build.Dense(7))).ToArray();
        using var batch = TestProblems.ToBatch(problems);
        using var result = Coder().Solve(batch);
        Assert.Equal(0.0, result.Z.abs().max().item<double>());
        Assert.All(result.Converged, Assert.True);
        Assert.All(result.KktResidual, r => Assert.Equal(0.0, r));
    }

    [Fact]
    public void LambdaAboveMaxCorrelationGivesZero()
    {
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, i)).ToArray();
        var lambdaMax = problems.Max(p => p.A.TransposeThisAndMultiply(p.B).InfinityNorm());
        using var batch = TestProblems.ToBatch(problems);
        foreach (var lambda in new[] { lambdaMax, 2 * lambdaMax })
        {
            using var result = Coder(lambda).Solve(batch);
            Assert.Equal(0.0, result.Z.abs().max().item<double>());
            Assert.All(result.Converged, Assert.True);
        }
    }

    [Fact]
    public void ZeroLambdaIsReportedAsNotConverged()
    {
        // The homotopy degenerates at lambda = 0 (every correlation starts at the boundary); Auto uses FISTA there.
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, i)).ToArray();
        using var batch = TestProblems.ToBatch(problems);
        using var result = Coder(lambda: 0).Solve(batch);
        Assert.All(result.Converged, Assert.False);
        Assert.All(result.KktResidual, r => Assert.True(r > 1e-6));
    }

    [Fact]
    public void BatchedEqualsPerProblemAndPaddingIsZero()
    {
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, 300 + i)).ToArray();
        using var batch = TestProblems.ToBatch(problems);
        var coder = Coder();
        using var result = coder.Solve(batch);
        var z = result.Z.data<double>().ToArray();
        for (var i = 0; i < problems.Length; i++)
        {
            using var single = TestProblems.ToBatch(new[] { problems[i] });
            using var alone = coder.Solve(single);
            Assert.Equal(alone.CodeArray(0), result.CodeArray(i));
            Assert.Equal(alone.Iterations[0], result.Iterations[i]);
            for (var j = DefaultSpace[i]; j < 35; j++)
            {
                Assert.Equal(0.0, z[(i * 35) + j]);
            }
        }

        // Garbage in the padding of the warm start is ignored.
        using var scope = NewDisposeScope();
        var warm = result.Z.clone();
        warm[0, 20] = tensor(5.0);
        using var again = coder.Solve(batch, warm);
        Assert.Equal(0.0, again.Z[0, 20].item<double>());
        var expected = result.CodeArray(0);
        var actual = again.CodeArray(0);
        for (var j = 0; j < expected.Length; j++)
        {
            Assert.Equal(expected[j], actual[j], 1e-12 * Math.Abs(expected[j]));    // same support, rounding apart
        }
    }

    [Fact]
    public void Float32AndFloat64()
    {
        var problems = DefaultSpace.Select((n, i) => TestProblems.NormalisedGaussian(7, n, 600 + i)).ToArray();
        using var batch64 = TestProblems.ToBatch(problems, ScalarType.Float64);
        using var batch32 = TestProblems.ToBatch(problems, ScalarType.Float32);
        var coder = Coder(tolerance: 1e-4);
        using var r64 = coder.Solve(batch64);
        using var r32 = coder.Solve(batch32, r64.Z.to(ScalarType.Float32));
        Assert.Equal(ScalarType.Float64, r64.Z.dtype);
        Assert.Equal(ScalarType.Float32, r32.Z.dtype);
        Assert.Equal(new long[] { 8, 35 }, r32.Z.shape);
        for (var i = 0; i < problems.Length; i++)
        {
            Assert.True(r32.Converged[i], $"problem {i}: float32 KKT {r32.KktResidual[i]:E3}");
            Assert.Equal(r64.Objective[i], r32.Objective[i], 1e-4 * r64.Objective[i]);
        }
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        using var scope = NewDisposeScope();
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, i)).ToArray();
        using var batch = TestProblems.ToBatch(problems);
        var coder = Coder();
        Assert.Throws<ArgumentNullException>(() => coder.Solve(null!));
        Assert.Equal("warmStart", Assert.ThrowsAny<ArgumentException>(() => coder.Solve(batch, zeros(8, 34, ScalarType.Float64))).ParamName);
        Assert.Equal("warmStart", Assert.ThrowsAny<ArgumentException>(() => coder.Solve(batch, zeros(35, ScalarType.Float64))).ParamName);
        var ex = Assert.ThrowsAny<ArgumentException>(() => coder.Solve(batch, zeros(8, 35, ScalarType.Float32)));
        Assert.Equal("warmStart", ex.ParamName);
        Assert.Contains("dtype mismatch", ex.Message);
        var bad = zeros(8, 35, ScalarType.Float64);
        bad[1, 2] = tensor(double.NaN);
        ex = Assert.ThrowsAny<ArgumentException>(() => coder.Solve(batch, bad));
        Assert.Equal("warmStart", ex.ParamName);
        Assert.Contains("NaN", ex.Message);
        Assert.ThrowsAny<ArgumentException>(() => new ActiveSetSparseCoder(new SparseCoderOptions { Lambda = -1 }));
        Assert.ThrowsAny<ArgumentException>(() => new ActiveSetSparseCoder(new SparseCoderOptions { Tolerance = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => SparseCoder.Create(new SparseCoderOptions { Lambda = double.NaN }));
    }

    [Fact]
    public void FactoryAndAutoSelection()
    {
        Assert.Equal(SparseCodingMethod.Auto, new SparseCoderOptions().Method);
        Assert.IsType<AutoSparseCoder>(SparseCoder.Create(new SparseCoderOptions()));
        Assert.IsType<ActiveSetSparseCoder>(SparseCoder.Create(new SparseCoderOptions { Method = SparseCodingMethod.ActiveSet }));
        Assert.IsType<TensorSparseCoder>(SparseCoder.Create(new SparseCoderOptions { Method = SparseCodingMethod.Fista }));
        Assert.IsType<TensorSparseCoder>(SparseCoder.Create(new SparseCoderOptions { Method = SparseCodingMethod.Ista }));

        var auto = (AutoSparseCoder)SparseCoder.Create(new SparseCoderOptions());
        using var scope = NewDisposeScope();
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, i)).ToArray();
        using var small = TestProblems.ToBatch(problems);
        Assert.Same(auto.ActiveSet, auto.SelectCoder(small));
        using var smallResult = auto.Solve(small);
        Assert.True(smallResult.KktResidual.Max() <= 1e-12);          // exact: FISTA would stop near the 1e-6 tolerance

        using var large = SparseCodingProblem.Create(
            new[] { rand(7, AutoSparseCoder.MaxActiveSetColumns + 1, ScalarType.Float64) }, new[] { randn(7, ScalarType.Float64) });
        Assert.Same(auto.Fista, auto.SelectCoder(large));
        Assert.Equal(SparseCodingMethod.Fista, auto.Fista.Options.Method);

        var zeroLambda = new AutoSparseCoder(new SparseCoderOptions { Lambda = 0 });
        Assert.Same(zeroLambda.Fista, zeroLambda.SelectCoder(small));
    }

    [Fact]
    public void NoTensorLeakAcrossRepeatedSolves()
    {
        var problems = DefaultSpace.Select((n, i) => TestProblems.Uniform(7, n, i)).ToArray();
        var coder = SparseCoder.Create(new SparseCoderOptions());
        using var batch = TestProblems.ToBatch(problems);
        using (var warmUp = coder.Solve(batch))
        {
        }

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Tensor? previous = null;
        for (var round = 0; round < 10; round++)
        {
            using var scope = NewDisposeScope();
            using var moved = batch.WithB(batch.B * (1 + (0.1 * round)));
            using var result = coder.Solve(moved, previous);
            previous?.Dispose();
            previous = result.Z.clone().DetachFromDisposeScope();
        }

        previous?.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
