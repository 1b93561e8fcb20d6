using MathNet.Numerics.LinearAlgebra;

namespace IstaNas.SparseCoding;

/// <summary>
/// The stopping criterion shared by every solver in this namespace: the scaled violation of the LASSO
/// optimality (KKT) conditions of 1/2 ||A z - b||^2 + lambda ||z||_1.
/// With g = A^T (A z - b), the violation of coordinate j is
/// |g_j + lambda sign(z_j)| when z_j != 0 and max(|g_j| - lambda, 0) when z_j = 0;
/// the residual is max_j of that, divided by scale = max(||A^T b||_inf, lambda, 1e-300).
/// It is 0 exactly at the solution and is invariant to a common rescaling of b and lambda.
/// </summary>
internal static class KktResidual
{
    /// <summary>Smallest scale, so that b = 0 and lambda = 0 do not divide by zero.</summary>
    internal const double MinScale = 1e-300;

    /// <summary>The scaled KKT residual of z for one problem (float64, MathNet).</summary>
    /// <param name="a">A: measurement matrix, m x n.</param>
    /// <param name="b">b: latent vector, length m.</param>
    /// <param name="z">z: candidate sparse code, length n.</param>
    /// <param name="lambda">lambda: L1 weight, &gt;= 0.</param>
    /// <returns>max_j violation / max(||A^T b||_inf, lambda).</returns>
    public static double Compute(Matrix<double> a, Vector<double> b, Vector<double> z, double lambda)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(z);
        if (a.RowCount != b.Count)
        {
            throw new ArgumentException($"A has {a.RowCount} rows but b has length {b.Count}.", nameof(b));
        }

        if (a.ColumnCount != z.Count)
        {
            throw new ArgumentException($"A has {a.ColumnCount} columns but z has length {z.Count}.", nameof(z));
        }

        var g = a.TransposeThisAndMultiply(a * z - b);
        var scale = Math.Max(Math.Max(a.TransposeThisAndMultiply(b).InfinityNorm(), lambda), MinScale);
        double worst = 0;
        for (var j = 0; j < z.Count; j++)
        {
            var v = z[j] != 0 ? Math.Abs(g[j] + lambda * Math.Sign(z[j])) : Math.Max(Math.Abs(g[j]) - lambda, 0);
            worst = Math.Max(worst, v);
        }

        return worst / scale;
    }

    /// <summary>The LASSO objective 1/2 ||A z - b||^2 + lambda ||z||_1 (float64, MathNet).</summary>
    /// <param name="a">A: measurement matrix, m x n.</param>
    /// <param name="b">b: latent vector, length m.</param>
    /// <param name="z">z: sparse code, length n.</param>
    /// <param name="lambda">lambda: L1 weight.</param>
    /// <returns>The objective value.</returns>
    public static double Objective(Matrix<double> a, Vector<double> b, Vector<double> z, double lambda)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(z);
        var r = a * z - b;
        return 0.5 * r.DotProduct(r) + lambda * z.L1Norm();
    }
}
