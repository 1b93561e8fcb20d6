using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>
/// Exact managed coder for small problems (the CPU path of ISTA-NAS recovery): an active-set homotopy in float64
/// on host arrays, one problem after the other, warm-started from the previous support and signs. See
/// <see cref="ActiveSetLasso"/> for the method: from the warm start z0 it follows the piecewise-linear path of
/// min 1/2 ||A z - b||^2 + lambda ||z||_1 - (1 - t) u^T z from t = 0 (where z0 is optimal) to t = 1 (the LASSO),
/// one Cholesky solve of the active Gram matrix per pivot; cold (or when the warm path breaks down) it starts
/// from z = 0, which is LARS-LASSO. The result is exact up to rounding (scaled KKT residual around 1e-15 in the
/// default space); after a small change of b a warm solve typically needs one pivot per problem.
/// <para>
/// A is copied to the host once per shared A (cached, see <see cref="SparseCodingProblem.WithB(Tensor)"/>); b
/// and the warm start once per solve; z is written back as one [B, nMax] tensor in the problem's dtype and on its
/// device, zero beyond n_i. Diagnostics: <see cref="SparseCodeResult.Iterations"/> counts pivots (linear solves),
/// objective and KKT residual are computed in float64 at the returned z (rounded to float32 for float32
/// problems), and <see cref="SparseCodeResult.Converged"/> is residual &lt;= <see cref="SparseCoderOptions.Tolerance"/>.
/// <see cref="SparseCoderOptions.MaxIterations"/>, CheckInterval and AdaptiveRestart do not apply (the pivot cap is
/// 20 (n + m) + 100). With lambda = 0 the homotopy degenerates (z = 0, not converged): use FISTA there.
/// Cost per pivot is O(m n + m k^2 + k^3) for k active columns, so it is meant for small m (tens) and n (thousands).
/// </para>
/// </summary>
internal sealed class ActiveSetSparseCoder : ISparseCoder
{
    // Scaled KKT residual above which a warm result is recomputed cold (and the better one kept).
    private const double ExactThreshold = 1e-12;

    /// <summary>Creates a coder with the given options (copied and validated; only lambda and tolerance are used).</summary>
    /// <param name="options">Lambda and tolerance.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public ActiveSetSparseCoder(SparseCoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = SparseCoder.ValidatedCopy(options);
        Options = copy;
    }

    /// <summary>Creates a coder from options bound through Microsoft.Extensions.Options.</summary>
    /// <param name="options">The bound options.</param>
    public ActiveSetSparseCoder(IOptions<SparseCoderOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <inheritdoc />
    public SparseCoderOptions Options { get; }

    /// <inheritdoc />
    public SparseCodeResult Solve(SparseCodingProblem problem, Tensor? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var batch = problem.BatchSize;
        var m = problem.Rows;
        var nMax = problem.MaxColumns;
        if (warmStart is not null)
        {
            if (warmStart.dim() != 2 || warmStart.shape[0] != batch || warmStart.shape[1] != nMax)
            {
                throw new ArgumentException(
                    $"Shape mismatch: warmStart has shape [{string.Join(", ", warmStart.shape)}], expected [{batch}, {nMax}].",
                    nameof(warmStart));
            }

            TensorChecks.RequireSameKind(warmStart, problem.Dtype, problem.Device, nameof(warmStart));
        }

        var host = HostMatrices.Of(problem);
        double[] b;
        var z = new double[batch * nMax];
        using (NewDisposeScope())
        using (no_grad())
        {
            b = ToHost(problem.B);
            if (warmStart is not null)
            {
                ToHost(warmStart).CopyTo(z, 0);
            }
        }

        if (warmStart is not null)
        {
            foreach (var v in z)
            {
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"Non-finite value {v} in {nameof(warmStart)}.", nameof(warmStart));
                }
            }
        }

        var lambda = Options.Lambda;
        var float32 = problem.Dtype == ScalarType.Float32;
        var solver = new ActiveSetLasso(m, nMax);
        var gradient = new double[nMax];
        var residual = new double[m];
        var iterations = new int[batch];
        var objective = new double[batch];
        var kkt = new double[batch];
        var converged = new bool[batch];
        for (var i = 0; i < batch; i++)
        {
            var n = problem.ColumnCounts[i];
            var a = host.Columns[i];
            var bi = b.AsSpan(i * m, m);
            var zi = z.AsSpan(i * nMax, nMax);
            zi.Slice(n).Clear();                                  // padding is ignored on input and exactly 0 on output
            var warm = warmStart is not null;
            var pivots = solver.Solve(a, n, bi, zi, lambda, warm, out _);
            if (float32)
            {
                RoundToSingle(zi.Slice(0, n));
            }

            var (value, violation) = Evaluate(a, m, n, bi, zi, lambda, residual, gradient);
            if (warm && violation > ExactThreshold)
            {
                // The warm path ended off the solution (degenerate breakpoint): solve cold and keep the better point.
                var cold = new double[nMax];
                pivots += solver.Solve(a, n, bi, cold, lambda, warm: false, out _);
                if (float32)
                {
                    RoundToSingle(cold.AsSpan(0, n));
                }

                var (coldValue, coldViolation) = Evaluate(a, m, n, bi, cold, lambda, residual, gradient);
                if (coldViolation < violation)
                {
                    cold.AsSpan(0, n).CopyTo(zi);
                    (value, violation) = (coldValue, coldViolation);
                }
            }

            iterations[i] = pivots;
            objective[i] = value;
            kkt[i] = violation;
            converged[i] = violation <= Options.Tolerance;
        }

        Tensor result;
        using (no_grad())
        {
            result = tensor(z, new long[] { batch, nMax }, problem.Dtype, problem.Device).DetachFromDisposeScope();
        }

        return new SparseCodeResult(result, problem.ColumnCounts, iterations, objective, kkt, converged);
    }

    // Copies a tensor to a host float64 array (row-major).
    private static double[] ToHost(Tensor t) =>
        t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    private static void RoundToSingle(Span<double> values)
    {
        for (var j = 0; j < values.Length; j++)
        {
            values[j] = (float)values[j];
        }
    }

    // Objective and scaled KKT residual (see KktResidual) of z for one problem, A column-major.
    internal static (double Objective, double Kkt) Evaluate(
        ReadOnlySpan<double> a, int m, int n, ReadOnlySpan<double> b, ReadOnlySpan<double> z, double lambda, double[] residual, double[] gradient)
    {
        var r = residual.AsSpan(0, m);
        for (var i = 0; i < m; i++)
        {
            r[i] = -b[i];
        }

        var l1 = 0.0;
        for (var j = 0; j < n; j++)
        {
            if (z[j] != 0)
            {
                l1 += Math.Abs(z[j]);
                var col = a.Slice(j * m, m);
                for (var i = 0; i < m; i++)
                {
                    r[i] += z[j] * col[i];
                }
            }
        }

        var atbMax = 0.0;
        var worst = 0.0;
        for (var j = 0; j < n; j++)
        {
            var col = a.Slice(j * m, m);
            double g = 0, atb = 0;
            for (var i = 0; i < m; i++)
            {
                g += col[i] * r[i];
                atb += col[i] * b[i];
            }

            gradient[j] = g;
            atbMax = Math.Max(atbMax, Math.Abs(atb));
            var v = z[j] != 0 ? Math.Abs(g + (lambda * Math.Sign(z[j]))) : Math.Max(Math.Abs(g) - lambda, 0);
            worst = Math.Max(worst, v);
        }

        var rr = 0.0;
        for (var i = 0; i < m; i++)
        {
            rr += r[i] * r[i];
        }

        var scale = Math.Max(Math.Max(atbMax, lambda), KktResidual.MinScale);
        return ((0.5 * rr) + (lambda * l1), worst / scale);
    }
}
