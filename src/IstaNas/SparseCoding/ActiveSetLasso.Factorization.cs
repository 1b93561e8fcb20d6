namespace IstaNas.SparseCoding;

// The factorisation half of ActiveSetLasso: Cholesky of the active Gram matrix and refined solves with it.
internal sealed partial class ActiveSetLasso
{
    // Cholesky G = L L^T of G = A_S^T A_S (lower triangle of _chol, row-major k x k); false if rank deficient.
    private bool Factor(ReadOnlySpan<double> a, int k)
    {
        var m = _m;
        var l = _chol;
        var maxDiag = 0.0;
        for (var r = 0; r < k; r++)
        {
            var colR = a.Slice(_active[r] * m, m);
            for (var c = 0; c <= r; c++)
            {
                l[(r * k) + c] = Dot(colR, a.Slice(_active[c] * m, m));
            }

            maxDiag = Math.Max(maxDiag, l[(r * k) + r]);
        }

        for (var r = 0; r < k; r++)
        {
            for (var c = 0; c <= r; c++)
            {
                var sum = l[(r * k) + c];
                for (var p = 0; p < c; p++)
                {
                    sum -= l[(r * k) + p] * l[(c * k) + p];
                }

                if (r == c)
                {
                    if (!(sum > RankTolerance * maxDiag))
                    {
                        return false;
                    }

                    l[(r * k) + r] = Math.Sqrt(sum);
                }
                else
                {
                    l[(r * k) + c] = sum / l[(c * k) + c];
                }
            }
        }

        return true;
    }

    // x = G^-1 _rhs, then one refinement step with the residual computed from A (not from G).
    private void SolveRefined(ReadOnlySpan<double> a, int k, double[] x, ReadOnlySpan<double> b, double lambda, bool isP)
    {
        var m = _m;
        _rhs.AsSpan(0, k).CopyTo(x);
        CholeskySolve(k, x);

        // Residual of the normal equations: rhs - A_S^T (A_S x), with rhs = A_S^T b - lambda s or u_S.
        var ax = _w;
        ax.AsSpan(0, m).Clear();
        for (var q = 0; q < k; q++)
        {
            Axpy(x[q], a.Slice(_active[q] * m, m), ax);
        }

        for (var q = 0; q < k; q++)
        {
            var col = a.Slice(_active[q] * m, m);
            _delta[q] = isP
                ? Dot(col, b) - Dot(col, ax) - (lambda * _signs[q])
                : _u[_active[q]] - Dot(col, ax);
        }

        CholeskySolve(k, _delta);
        for (var q = 0; q < k; q++)
        {
            x[q] += _delta[q];
        }
    }

    // Solves L L^T x = x in place.
    private void CholeskySolve(int k, double[] x)
    {
        var l = _chol;
        for (var r = 0; r < k; r++)
        {
            var sum = x[r];
            for (var p = 0; p < r; p++)
            {
                sum -= l[(r * k) + p] * x[p];
            }

            x[r] = sum / l[(r * k) + r];
        }

        for (var r = k - 1; r >= 0; r--)
        {
            var sum = x[r];
            for (var p = r + 1; p < k; p++)
            {
                sum -= l[(p * k) + r] * x[p];
            }

            x[r] = sum / l[(r * k) + r];
        }
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    private static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }
}
