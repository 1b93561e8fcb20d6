using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace IstaNas.SparseCoding;

// The polishing half of DenseLassoSolver: feature-sign search from the homotopy result, with triangular solves.
internal sealed partial class DenseLassoSolver
{
    // Feature-sign search (Lee, Battle, Raina and Ng 2007) from z, in place; returns the number of steps.
    private int PolishWithFeatureSign(Matrix<double> a, Vector<double> b, Vector<double> z)
    {
        var lambda = Lambda;
        var m = a.RowCount;
        var n = a.ColumnCount;
        var scale = Math.Max(Math.Max(a.TransposeThisAndMultiply(b).InfinityNorm(), lambda), KktResidual.MinScale);
        var signs = new double[n];
        for (var j = 0; j < n; j++)
        {
            signs[j] = Math.Sign(z[j]);
        }

        var steps = 0;
        var maxSteps = 10 * (n + m);
        while (steps < maxSteps)
        {
            var g = a.TransposeThisAndMultiply(a * z - b);
            var activeOptimal = true;
            for (var j = 0; j < n; j++)
            {
                if (signs[j] != 0 && Math.Abs(g[j] + (lambda * signs[j])) > 1e-13 * scale)
                {
                    activeOptimal = false;
                }
            }

            if (activeOptimal)
            {
                var best = -1;
                var bestValue = lambda * (1 + 1e-13);
                for (var j = 0; j < n; j++)
                {
                    if (signs[j] == 0 && Math.Abs(g[j]) > bestValue)
                    {
                        (best, bestValue) = (j, Math.Abs(g[j]));
                    }
                }

                if (best < 0)
                {
                    break;                                       // every KKT condition holds
                }

                signs[best] = -Math.Sign(g[best]);
            }

            steps++;
            var active = Enumerable.Range(0, n).Where(j => signs[j] != 0).ToArray();
            if (active.Length > m)
            {
                break;                                           // A_S^T A_S singular: cannot take the step
            }

            var aS = Matrix<double>.Build.Dense(m, active.Length);
            for (var q = 0; q < active.Length; q++)
            {
                aS.SetColumn(q, a.Column(active[q]));
            }

            var qr = aS.QR(QRMethod.Thin);
            var d = BackSolve(qr.R, ForwardSolveTransposed(qr.R, active.Select(j => signs[j]).ToArray()));
            var ls = BackSolve(qr.R, qr.Q.TransposeThisAndMultiply(b).ToArray());
            var target = active.Select((j, q) => ls[q] - (lambda * d[q])).ToArray();

            // Line search over [current, target]: the objective at the target and at every zero crossing.
            var current = active.Select(j => z[j]).ToArray();
            var candidates = new List<double> { 1.0 };
            for (var q = 0; q < active.Length; q++)
            {
                var delta = target[q] - current[q];
                if (delta != 0)
                {
                    var t = -current[q] / delta;
                    if (t > 0 && t < 1)
                    {
                        candidates.Add(t);
                    }
                }
            }

            var bestT = 1.0;
            var bestObjective = double.PositiveInfinity;
            var trial = z.Clone();
            foreach (var t in candidates)
            {
                for (var q = 0; q < active.Length; q++)
                {
                    trial[active[q]] = current[q] + (t * (target[q] - current[q]));
                }

                var objective = KktResidual.Objective(a, b, trial, lambda);
                if (objective < bestObjective)
                {
                    (bestT, bestObjective) = (t, objective);
                }
            }

            for (var q = 0; q < active.Length; q++)
            {
                var j = active[q];
                var value = current[q] + (bestT * (target[q] - current[q]));
                var crossing = target[q] != current[q] && Math.Abs((-current[q] / (target[q] - current[q])) - bestT) < 1e-15;
                z[j] = crossing ? 0 : value;
                signs[j] = Math.Sign(z[j]);
            }
        }

        return steps;
    }

    // Solves R^T y = s for upper triangular R (forward substitution).
    private static double[] ForwardSolveTransposed(Matrix<double> r, IReadOnlyList<double> s)
    {
        var k = s.Count;
        var y = new double[k];
        for (var i = 0; i < k; i++)
        {
            var sum = s[i];
            for (var p = 0; p < i; p++)
            {
                sum -= r[p, i] * y[p];
            }

            y[i] = sum / r[i, i];
        }

        return y;
    }

    // Solves R x = y for upper triangular R (back substitution).
    private static double[] BackSolve(Matrix<double> r, IReadOnlyList<double> y)
    {
        var k = y.Count;
        var x = new double[k];
        for (var i = k - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var p = i + 1; p < k; p++)
            {
                sum -= r[i, p] * x[p];
            }

            x[i] = sum / r[i, i];
        }

        return x;
    }
}
