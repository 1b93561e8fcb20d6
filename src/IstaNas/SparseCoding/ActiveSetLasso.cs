namespace IstaNas.SparseCoding;

/// <summary>
/// Exact LASSO solver for one small problem min_z 1/2 ||A z - b||^2 + lambda ||z||_1 on host float64 arrays,
/// with preallocated workspaces (no allocation per pivot).
/// <para>
/// Method: a homotopy from a start point z0 (warm start, or z0 = 0 cold). With g(z) = A^T (A z - b) and the fixed
/// vector u = g(z0) + lambda sign(z0), z0 solves the perturbed problem
/// min 1/2 ||A z - b||^2 + lambda ||z||_1 - (1 - t) u^T z at t = 0, and t = 1 is the LASSO. The solution path in
/// t is piecewise linear: on a segment with support S and signs s,
/// z_S(t) = p + (1 - t) q with p = G^-1 (A_S^T b - lambda s), q = G^-1 u_S, G = A_S^T A_S, and the correlations
/// c_j(t) = a_j^T (b - A_S z_S(t)) + (1 - t) u_j of the other columns are linear in t. A pivot moves to the next
/// event (a coefficient reaching 0: drop; a correlation reaching +-lambda: add) or to t = 1. Every segment is
/// recomputed exactly from (S, s, t) with a Cholesky factorisation of G and one step of refinement against A
/// (semi-normal equations), so rounding does not accumulate. Cold (z0 = 0, u = -A^T b) the path is the
/// LARS-LASSO path reparameterised (lambda' = lambda / t). Warm from the previous solution after a small change
/// of b, the support usually does not change and one pivot suffices.
/// </para>
/// <para>
/// The warm path can meet an add event with |S| = m (G would become singular); then, and when a warm support is
/// unusable (more than m columns or rank deficient), the solver restarts cold. A pivot cap guards against cycling.
/// </para>
/// </summary>
internal sealed partial class ActiveSetLasso
{
    // Relative threshold on Cholesky pivots below which A_S is treated as rank deficient.
    private const double RankTolerance = 1e-13;

    // Events closer than this (in t, which runs over [0, 1]) to the current breakpoint are ignored.
    private const double MinStep = 1e-14;

    private readonly int _m;
    private readonly int _capacity;
    private readonly int[] _active;
    private readonly double[] _signs;
    private readonly int[] _position;
    private readonly double[] _u;
    private readonly double[] _atb;
    private readonly double[] _c1;
    private readonly double[] _e;
    private readonly double[] _chol;
    private readonly double[] _p;
    private readonly double[] _q;
    private readonly double[] _rhs;
    private readonly double[] _delta;
    private readonly double[] _residual;
    private readonly double[] _w;
    private int _activeCount;

    /// <summary>Creates a workspace for problems with <paramref name="m"/> rows and at most <paramref name="capacity"/> columns.</summary>
    public ActiveSetLasso(int m, int capacity)
    {
        _m = m;
        _capacity = capacity;
        _active = new int[m + 1];
        _signs = new double[m + 1];
        _position = new int[capacity];
        _u = new double[capacity];
        _atb = new double[capacity];
        _c1 = new double[capacity];
        _e = new double[capacity];
        _chol = new double[m * m];
        _p = new double[m];
        _q = new double[m];
        _rhs = new double[m];
        _delta = new double[m];
        _residual = new double[m];
        _w = new double[m];
    }

    /// <summary>
    /// Solves one problem. <paramref name="a"/> is A column-major (column j at [j * m, (j + 1) * m)).
    /// On entry <paramref name="z"/> holds the warm start when <paramref name="warm"/> is true (ignored otherwise);
    /// on exit the solution. Returns the number of pivots (linear solves); <paramref name="pathCompleted"/> is false
    /// when the pivot cap was hit or the cold path broke down (z is then 0; the caller sees it in the KKT residual).
    /// </summary>
    public int Solve(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> b, Span<double> z, double lambda, bool warm, out bool pathCompleted)
    {
        if (n > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"Workspace holds {_capacity} columns.");
        }

        var m = _m;
        for (var j = 0; j < n; j++)
        {
            _atb[j] = Dot(a.Slice(j * m, m), b);
        }

        var pivots = 0;
        if (warm && StartWarm(a, n, b, z, lambda))
        {
            if (Path(a, n, b, z, lambda, ref pivots))
            {
                pathCompleted = true;
                return pivots;
            }
        }

        // Cold: z0 = 0, u = g(0) = -A^T b.
        z.Slice(0, n).Clear();
        for (var j = 0; j < n; j++)
        {
            _position[j] = -1;
            _u[j] = -_atb[j];
        }

        _activeCount = 0;
        pathCompleted = Path(a, n, b, z, lambda, ref pivots);
        return pivots;
    }

    // Sets up S, s and u from the warm start z0; false if the support is unusable (then the caller starts cold).
    private bool StartWarm(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> b, Span<double> z, double lambda)
    {
        var m = _m;
        var count = 0;
        for (var j = 0; j < n; j++)
        {
            _position[j] = -1;
            if (z[j] != 0)
            {
                if (count == m)
                {
                    return false;
                }

                _position[j] = count;
                _active[count] = j;
                _signs[count] = Math.Sign(z[j]);
                count++;
            }
        }

        _activeCount = count;

        // r = A z0 - b, u = A^T r + lambda sign(z0).
        var r = _residual;
        for (var i = 0; i < m; i++)
        {
            r[i] = -b[i];
        }

        for (var q = 0; q < count; q++)
        {
            var j = _active[q];
            Axpy(z[j], a.Slice(j * m, m), r);
        }

        for (var j = 0; j < n; j++)
        {
            _u[j] = Dot(a.Slice(j * m, m), r) + (lambda * Math.Sign(z[j]));
        }

        return true;
    }

    // Follows the path from t = 0 to t = 1 for the current S, s, u. Writes z at t = 1 on success.
    private bool Path(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> b, Span<double> z, double lambda, ref int pivots)
    {
        var m = _m;
        var maxPivots = (20 * (n + m)) + 100;
        var t = 0.0;
        var lastAdded = -1;
        var lastDropped = -1;
        var lastDroppedSign = 0.0;
        var steps = 0;
        while (steps < maxPivots)
        {
            steps++;
            pivots++;
            var k = _activeCount;
            if (!Factor(a, k))
            {
                return false;
            }

            // p = G^-1 (A_S^T b - lambda s), q = G^-1 u_S, each refined once against A.
            for (var q = 0; q < k; q++)
            {
                _rhs[q] = _atb[_active[q]] - (lambda * _signs[q]);
            }

            SolveRefined(a, k, _p, b, lambda, isP: true);
            for (var q = 0; q < k; q++)
            {
                _rhs[q] = _u[_active[q]];
            }

            SolveRefined(a, k, _q, b, lambda, isP: false);

            // r_p = b - A_S p, w = A_S q.
            var rp = _residual;
            b.CopyTo(rp);
            _w.AsSpan(0, m).Clear();
            for (var q = 0; q < k; q++)
            {
                var col = a.Slice(_active[q] * m, m);
                Axpy(-_p[q], col, rp);
                Axpy(_q[q], col, _w);
            }

            var next = 1.0;
            var eventIndex = -1;
            var eventIsAdd = false;
            var eventSign = 0.0;
            for (var q = 0; q < k; q++)
            {
                var j = _active[q];
                if (j == lastAdded || _q[q] == 0)
                {
                    continue;
                }

                var te = 1 + (_p[q] / _q[q]);
                if (te > t + MinStep && te < next)
                {
                    (next, eventIndex, eventIsAdd) = (te, q, false);
                }
            }

            for (var j = 0; j < n; j++)
            {
                if (_position[j] >= 0)
                {
                    continue;
                }

                var col = a.Slice(j * m, m);
                var c1 = Dot(col, rp);
                var e = _u[j] - Dot(col, _w);
                if (e == 0)
                {
                    continue;
                }

                // c_j(t) = c1 + (1 - t) e reaches sigma * lambda at t = 1 - (sigma lambda - c1) / e.
                if (!(j == lastDropped && lastDroppedSign > 0))
                {
                    var te = 1 - ((lambda - c1) / e);
                    if (te > t + MinStep && te < next)
                    {
                        (next, eventIndex, eventIsAdd, eventSign) = (te, j, true, 1.0);
                    }
                }

                if (!(j == lastDropped && lastDroppedSign < 0))
                {
                    var te = 1 - ((-lambda - c1) / e);
                    if (te > t + MinStep && te < next)
                    {
                        (next, eventIndex, eventIsAdd, eventSign) = (te, j, true, -1.0);
                    }
                }
            }

            if (eventIndex < 0)
            {
                z.Slice(0, n).Clear();
                for (var q = 0; q < k; q++)
                {
                    z[_active[q]] = _p[q];
                }

                return true;
            }

            t = next;
            if (eventIsAdd)
            {
                if (k == m)
                {
                    return false;                            // G would be singular
                }

                _position[eventIndex] = k;
                _active[k] = eventIndex;
                _signs[k] = eventSign;
                _activeCount = k + 1;
                lastAdded = eventIndex;
                lastDropped = -1;
            }
            else
            {
                var j = _active[eventIndex];
                lastDroppedSign = _signs[eventIndex];
                lastDropped = j;
                lastAdded = -1;
                var last = k - 1;
                _position[j] = -1;
                if (eventIndex != last)
                {
                    _active[eventIndex] = _active[last];
                    _signs[eventIndex] = _signs[last];
                    _position[_active[eventIndex]] = eventIndex;
                }

                _activeCount = last;
            }
        }

        return false;
    }
}
