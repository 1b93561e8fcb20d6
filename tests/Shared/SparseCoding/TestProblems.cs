using IstaNas.SparseCoding;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace IstaNas.Tests.SparseCoding;

/// <summary>Seeded random LASSO problems, as MathNet matrices and as tensors.</summary>
internal sealed record TestProblem(Matrix<double> A, Vector<double> B)
{
    public Tensor ATensor(ScalarType dtype = ScalarType.Float64) =>
        tensor(A.ToRowMajorArray(), new long[] { A.RowCount, A.ColumnCount }, dtype);

    public Tensor BTensor(ScalarType dtype = ScalarType.Float64) => tensor(B.ToArray(), dtype);
}

internal static class TestProblems
{
    /// <summary>A ~ uniform [0, 1) (the authors' choice), b ~ bScale * N(0, 1).</summary>
    public static TestProblem Uniform(int m, int n, int seed, double bScale = 1e-3)
    {
        var rng = new Random(seed);
        var a = Matrix<double>.Build.Dense(m, n, (_, _) => rng.NextDouble());
        return new TestProblem(a, Gaussian(rng, m, bScale));
    }

    /// <summary>A ~ N(0, 1) with unit-norm columns, b ~ bScale * N(0, 1).</summary>
    public static TestProblem NormalisedGaussian(int m, int n, int seed, double bScale = 1e-3)
    {
        var rng = new Random(seed);
        var a = GaussianMatrix(rng, m, n);
        return new TestProblem(a, Gaussian(rng, m, bScale));
    }

    /// <summary>Column-normalised Gaussian A and b = A z0 for an s-sparse z0 with entries of magnitude 1..2.</summary>
    public static (TestProblem Problem, Vector<double> Z0) Planted(int m, int n, int s, int seed)
    {
        var rng = new Random(seed);
        var a = GaussianMatrix(rng, m, n);
        var z0 = Vector<double>.Build.Dense(n);
        foreach (var j in Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(s))
        {
            z0[j] = (rng.Next(2) == 0 ? -1 : 1) * (1 + rng.NextDouble());
        }

        return (new TestProblem(a, a * z0), z0);
    }

    public static Vector<double> Gaussian(Random rng, int length, double scale) =>
        Vector<double>.Build.Dense(length, _ => scale * NextGaussian(rng));

    private static Matrix<double> GaussianMatrix(Random rng, int m, int n)
    {
        var a = Matrix<double>.Build.Dense(m, n, (_, _) => NextGaussian(rng));
        return a.NormalizeColumns(2.0);
    }

    private static double NextGaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Builds a batched problem from test problems (tensors created and disposed here).</summary>
    public static SparseCodingProblem ToBatch(IReadOnlyList<TestProblem> problems, ScalarType dtype = ScalarType.Float64)
    {
        using var scope = NewDisposeScope();
        return SparseCodingProblem.Create(
            problems.Select(p => p.ATensor(dtype)).ToArray(),
            problems.Select(p => p.BTensor(dtype)).ToArray());
    }
}
