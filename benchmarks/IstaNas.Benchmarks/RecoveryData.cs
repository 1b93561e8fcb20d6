using IstaNas.SparseCoding;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>Seeded problem sets shared by the recovery benchmarks.</summary>
internal static class RecoveryData
{
    /// <summary>The default ISTA-NAS space: 4 nodes x (normal, reduce), m = 7, n = 14, 21, 28, 35; A ~ U[0, 1), b ~ 1e-3 N(0, 1).</summary>
    public static (Tensor[] A, Tensor[] B) DefaultSpace(int seed)
    {
        var generator = new Generator((ulong)seed);
        var columns = new[] { 14, 21, 28, 35, 14, 21, 28, 35 };
        var a = columns.Select(n => rand(new long[] { 7, n }, generator: generator, dtype: ScalarType.Float64)).ToArray();
        var b = columns.Select(_ => randn(new long[] { 7 }, generator: generator, dtype: ScalarType.Float64) * 1e-3).ToArray();
        return (a, b);
    }

    /// <summary>
    /// Planted recovery: column-normalised Gaussian A [m, n] with m = n / 10, z0 with s = max(1, m / 10) entries of
    /// magnitude 1..2, b = A z0 + 0.01 N(0, 1).
    /// </summary>
    public static (Tensor[] A, Tensor[] B) Planted(int n, int batch, int seed, ScalarType dtype)
    {
        var generator = new Generator((ulong)seed);
        var m = n / 10;
        var s = Math.Max(1, m / 10);
        var a = new Tensor[batch];
        var b = new Tensor[batch];
        for (var i = 0; i < batch; i++)
        {
            using var scope = NewDisposeScope();
            var ai = randn(new long[] { m, n }, generator: generator, dtype: ScalarType.Float64);
            ai = ai / ai.norm(0, keepdim: true);
            var support = randperm(n, generator: generator).narrow(0, 0, s);
            var z0 = zeros(n, ScalarType.Float64);
            var values = (rand(new long[] { s }, generator: generator, dtype: ScalarType.Float64) + 1)
                * (randint(0, 2, new long[] { s }, generator: generator).to(ScalarType.Float64) * 2 - 1);
            z0.index_put_(values, support);
            var bi = ai.matmul(z0) + (randn(new long[] { m }, generator: generator, dtype: ScalarType.Float64) * 0.01);
            a[i] = ai.to(dtype).MoveToOuterDisposeScope();
            b[i] = bi.to(dtype).MoveToOuterDisposeScope();
        }

        return (a, b);
    }

    public static Matrix<double>[] ToMatrices(Tensor[] a) => a.Select(t => TensorConversions.ToMatrix(t)).ToArray();

    public static Vector<double>[] ToVectors(Tensor[] b) => b.Select(t => TensorConversions.ToVector(t)).ToArray();

    public static void Dispose(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors)
        {
            t.Dispose();
        }
    }
}
