using IstaNas.SparseCoding;
using MathNet.Numerics.LinearAlgebra;

namespace IstaNas.Tests.SparseCoding;

public class DenseLassoSolverTests
{
    public static TheoryData<int, int, double, bool> KktCases() => new()
    {
        // The ISTA-NAS regime: m = 7, n = 14..40, lambda = 1e-5 (close to basis pursuit).
        { 7, 14, 1e-5, true }, { 7, 21, 1e-5, true }, { 7, 28, 1e-5, true }, { 7, 35, 1e-5, true }, { 7, 40, 1e-5, true },
        { 7, 14, 1e-5, false }, { 7, 21, 1e-5, false }, { 7, 28, 1e-5, false }, { 7, 35, 1e-5, false }, { 7, 40, 1e-5, false },
        { 4, 10, 1e-4, true }, { 12, 30, 1e-4, false }, { 20, 15, 1e-5, false }, { 30, 60, 1e-3, false },
        { 30, 25, 1e-5, false }, { 25, 20, 1e-4, true }, { 30, 25, 1e-4, false },
    };

    [Theory]
    [MemberData(nameof(KktCases))]
    public void SatisfiesKktTo1e10(int m, int n, double lambda, bool uniform)
    {
        var solver = new DenseLassoSolver(lambda);
        for (var seed = 0; seed < 10; seed++)
        {
            var p = uniform ? TestProblems.Uniform(m, n, seed) : TestProblems.NormalisedGaussian(m, n, seed);
            var result = solver.Solve(p.A, p.B);
            Assert.True(result.KktResidual < 1e-10, $"seed {seed}: KKT residual {result.KktResidual:E3} after {result.Iterations} steps");
            Assert.Equal(KktResidual.Compute(p.A, p.B, result.Z, lambda), result.KktResidual);
            Assert.Equal(KktResidual.Objective(p.A, p.B, result.Z, lambda), result.Objective, 15);
            Assert.True(result.Z.Count(v => v != 0) <= Math.Min(m, n), "at most m non-zeros");
            Assert.True(result.Iterations > 0);
        }
    }

    [Fact]
    public void ObjectiveIsNotBeatenByPerturbations()
    {
        var p = TestProblems.Uniform(7, 21, 42);
        var solver = new DenseLassoSolver(1e-5);
        var result = solver.Solve(p.A, p.B);
        var rng = new Random(1);
        for (var trial = 0; trial < 200; trial++)
        {
            var perturbed = result.Z + Vector<double>.Build.Dense(21, _ => 1e-6 * (rng.NextDouble() - 0.5));
            Assert.True(KktResidual.Objective(p.A, p.B, perturbed, 1e-5) >= result.Objective - 1e-18);
        }
    }

    [Fact]
    public void LambdaAboveCorrelationGivesZero()
    {
        var p = TestProblems.Uniform(7, 14, 3);
        var lambdaMax = p.A.TransposeThisAndMultiply(p.B).InfinityNorm();
        var result = new DenseLassoSolver(lambdaMax).Solve(p.A, p.B);
        Assert.All(result.Z, v => Assert.Equal(0.0, v));
        Assert.Equal(0, result.Iterations);
        Assert.Equal(0.0, result.KktResidual);
        var justBelow = new DenseLassoSolver(lambdaMax * 0.999).Solve(p.A, p.B);
        Assert.Equal(1, justBelow.Z.Count(v => v != 0));
    }

    [Fact]
    public void ZeroBGivesZero()
    {
        var p = TestProblems.Uniform(7, 14, 3);
        var result = new DenseLassoSolver().Solve(p.A, Vector<double>.Build.Dense(7));
        Assert.All(result.Z, v => Assert.Equal(0.0, v));
        Assert.Equal(0.0, result.Objective);
    }

    [Fact]
    public void RecoversPlantedSparseCode()
    {
        for (var seed = 0; seed < 5; seed++)
        {
            var (p, z0) = TestProblems.Planted(40, 100, 4, seed);
            var result = new DenseLassoSolver(1e-6).Solve(p.A, p.B);
            // The LASSO at lambda > 0 may carry tiny extra entries (irrepresentability is not guaranteed); the
            // architecture keeps the s largest, which must be the planted support, and the values must match.
            Assert.Equal(Support(z0), TopS(result.Z, 4));
            Assert.True((result.Z - z0).InfinityNorm() < 1e-5, $"seed {seed}: error {(result.Z - z0).InfinityNorm():E3}");
        }
    }

    [Fact]
    public void SolveAllMatchesSolveOneByOne()
    {
        var problems = new[] { 14, 21, 28, 35 }.Select((n, i) => TestProblems.Uniform(7, n, i)).ToArray();
        var solver = new DenseLassoSolver();
        var all = solver.SolveAll(problems.Select(p => p.A).ToArray(), problems.Select(p => p.B).ToArray());
        using var scope = TorchSharp.torch.NewDisposeScope();
        var fromTensors = solver.SolveAll(problems.Select(p => p.ATensor()).ToArray(), problems.Select(p => p.BTensor()).ToArray());
        for (var i = 0; i < problems.Length; i++)
        {
            var single = solver.Solve(problems[i].A, problems[i].B);
            Assert.Equal(single.Z.ToArray(), all[i].Z.ToArray());
            Assert.Equal(single.Z.ToArray(), fromTensors[i].Z.ToArray());
        }
    }

    [Fact]
    public void ReportsManagedProvider()
    {
        var solver = new DenseLassoSolver();
        Assert.False(string.IsNullOrWhiteSpace(solver.LinearAlgebraProvider));
        Assert.Contains("Managed", solver.LinearAlgebraProvider, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RejectsBadInput()
    {
        var p = TestProblems.Uniform(7, 14, 0);
        var solver = new DenseLassoSolver();
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new DenseLassoSolver(-1)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new DenseLassoSolver(double.NaN)).ParamName);
        var ex = Assert.Throws<ArgumentException>(() => solver.Solve(p.A, Vector<double>.Build.Dense(6)));
        Assert.Equal("b", ex.ParamName);
        Assert.Contains("6", ex.Message);
        var badA = p.A.Clone();
        badA[2, 3] = double.NaN;
        ex = Assert.Throws<ArgumentException>(() => solver.Solve(badA, p.B));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("NaN", ex.Message);
        var badB = p.B.Clone();
        badB[1] = double.PositiveInfinity;
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => solver.Solve(p.A, badB)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => solver.Solve(Matrix<double>.Build.Dense(7, 0), p.B)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => solver.SolveAll(new[] { p.A }, Array.Empty<Vector<double>>())).ParamName);
    }

    internal static int[] TopS(Vector<double> z, int s) =>
        Enumerable.Range(0, z.Count).OrderByDescending(j => Math.Abs(z[j])).Take(s).Order().ToArray();

    internal static int[] Support(Vector<double> z) => Enumerable.Range(0, z.Count).Where(j => z[j] != 0).ToArray();
}
