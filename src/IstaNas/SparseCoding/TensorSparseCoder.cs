using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>
/// Batched ISTA / FISTA on TorchSharp tensors (float32 or float64, on the device of the problem). All B
/// problems advance together in one tensor computation per iteration; a problem whose scaled KKT residual
/// (see <see cref="KktResidual"/>) reaches the tolerance is frozen (its z is kept by masking) while the others
/// continue. The residual is checked every <see cref="SparseCoderOptions.CheckInterval"/> iterations, the only
/// host-device synchronisation of the loop.
/// Iteration: g = A^T (A y - b); z+ = soft_threshold(y - g / L, lambda / L) with L = ||A||_2^2 per problem;
/// ISTA uses y = z, FISTA y = z + ((t_k - 1) / t_{k+1}) (z - z_prev), optionally with adaptive restart.
/// <see cref="SparseCoderOptions.Method"/> Ista selects ISTA; every other value (Fista, ActiveSet, Auto) runs FISTA.
/// </summary>
internal sealed class TensorSparseCoder : ISparseCoder
{
    // Per-problem size (m * nMax) above which products use bmm (BLAS gemv per problem); below it a broadcast
    // multiply-and-sum is much faster on CPU, where bmm pays a per-matrix call overhead (measured ~10x at B = 256,
    // m = 10, n = 100).
    private const long BmmThreshold = 1 << 16;

    /// <summary>Creates a coder with the given options (copied and validated).</summary>
    /// <param name="options">Lambda, tolerance, iteration limit, check interval and method.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public TensorSparseCoder(SparseCoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = SparseCoder.ValidatedCopy(options);
        Options = copy;
    }

    /// <summary>Creates a coder from options bound through Microsoft.Extensions.Options.</summary>
    /// <param name="options">The bound options.</param>
    public TensorSparseCoder(IOptions<SparseCoderOptions> options)
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
        if (warmStart is not null)
        {
            if (warmStart.dim() != 2 || warmStart.shape[0] != batch || warmStart.shape[1] != problem.MaxColumns)
            {
                throw new ArgumentException(
                    $"Shape mismatch: warmStart has shape [{string.Join(", ", warmStart.shape)}], expected [{batch}, {problem.MaxColumns}].",
                    nameof(warmStart));
            }

            TensorChecks.RequireSameKind(warmStart, problem.Dtype, problem.Device, nameof(warmStart));
            TensorChecks.RequireFinite(warmStart, nameof(warmStart));
        }

        var lambda = Options.Lambda;
        var fista = Options.Method != SparseCodingMethod.Ista;        // Fista; ActiveSet and Auto mean FISTA here
        var restart = fista && Options.AdaptiveRestart;
        var iterations = new int[batch];
        var converged = new bool[batch];

        using var noGrad = no_grad();
        using var solveScope = NewDisposeScope();
        var a = problem.A;
        var useBmm = (long)problem.Rows * problem.MaxColumns > BmmThreshold;
        var b = problem.B;
        var lip = problem.Lipschitz.unsqueeze(1);                                // L [B, 1]
        var step = lip.reciprocal();                                             // 1 / L
        var threshold = step * lambda;                                           // lambda / L
        var scale = problem.AtBInfNorm.clamp_min(Math.Max(lambda, problem.Dtype == ScalarType.Float32 ? 1e-30 : KktResidual.MinScale));
        var columnMask = problem.ColumnMask;

        var z = warmStart is null ? zeros_like(problem.AtB) : warmStart.detach() * columnMask;
        var y = z.alias();
        var t = ones(new long[] { batch, 1 }, problem.Dtype, problem.Device);
        var active = ones(new long[] { batch, 1 }, ScalarType.Bool, problem.Device);
        var activeHost = Enumerable.Repeat(true, batch).ToArray();

        var done = 0;
        var residual = CheckAndFreeze(ref active, activeHost, converged, iterations, 0);
        while (done < Options.MaxIterations && activeHost.Any(x => x))
        {
            var block = Math.Min(Options.CheckInterval, Options.MaxIterations - done);
            for (var k = 0; k < block; k++)
            {
                using var iterationScope = NewDisposeScope();
                var grad = Adjoint(a, Forward(a, y, useBmm).sub_(b), useBmm);
                var v = y - grad * step;
                var zNext = v.abs().sub_(threshold).relu_().mul_(v.sign());
                zNext = where(active, zNext, z);
                Tensor yNext;
                if (fista)
                {
                    var tNext = (t.square() * 4 + 1).sqrt_().add_(1).div_(2);
                    var diff = zNext - z;
                    yNext = zNext + diff * ((t - 1) / tNext);
                    if (restart)
                    {
                        var reset = ((y - zNext) * diff).sum(1, keepdim: true).gt(0);
                        yNext = where(reset, zNext, yNext);
                        tNext = where(reset, ones_like(tNext), tNext);
                    }

                    yNext = where(active, yNext, z);
                    var tKeep = tNext.MoveToOuterDisposeScope();
                    t.Dispose();
                    t = tKeep;
                }
                else
                {
                    yNext = zNext.alias();
                }

                zNext.MoveToOuterDisposeScope();
                yNext.MoveToOuterDisposeScope();
                z.Dispose();
                y.Dispose();
                z = zNext;
                y = yNext;
            }

            done += block;
            residual.Dispose();
            residual = CheckAndFreeze(ref active, activeHost, converged, iterations, block);
        }

        // Objective 1/2 ||A z - b||^2 + lambda ||z||_1 and residual, one transfer each.
        var r = Forward(a, z, useBmm).sub_(b);
        var objective = (r.square().sum(1) * 0.5 + z.abs().sum(1) * lambda).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var kkt = residual.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var result = new SparseCodeResult(z.MoveToOuterDisposeScope(), problem.ColumnCounts, iterations, objective, kkt, converged);
        return result;

        // Computes the scaled KKT residual of every problem at z, adds `ran` iterations to the problems that
        // were active, and freezes those that now satisfy the tolerance. Returns the residual [B].
        // A x for x [B, nMax] -> [B, m].
        static Tensor Forward(Tensor matrices, Tensor x, bool viaBmm) =>
            viaBmm ? bmm(matrices, x.unsqueeze(2)).squeeze(2) : (matrices * x.unsqueeze(1)).sum(2);

        // A^T r for r [B, m] -> [B, nMax].
        static Tensor Adjoint(Tensor matrices, Tensor r, bool viaBmm) =>
            viaBmm ? bmm(matrices.transpose(1, 2), r.unsqueeze(2)).squeeze(2) : (matrices * r.unsqueeze(2)).sum(1);

        Tensor CheckAndFreeze(ref Tensor activeMask, bool[] host, bool[] conv, int[] iters, int ran)
        {
            Tensor res;
            Tensor nextActive;
            using (var checkScope = NewDisposeScope())
            {
                var g = Adjoint(a, Forward(a, z, useBmm).sub_(b), useBmm);
                var violation = where(z.ne(0), (g + z.sign() * lambda).abs(), (g.abs() - lambda).relu());
                res = (violation.amax(1) / scale).MoveToOuterDisposeScope();
                nextActive = activeMask.logical_and(res.gt(Options.Tolerance).unsqueeze(1)).MoveToOuterDisposeScope();
            }

            var nextHost = nextActive.squeeze(1).cpu();
            var flags = nextHost.data<bool>().ToArray();
            nextHost.Dispose();
            for (var i = 0; i < host.Length; i++)
            {
                if (host[i])
                {
                    iters[i] += ran;
                    conv[i] = !flags[i];
                }

                host[i] = flags[i];
            }

            activeMask.Dispose();
            activeMask = nextActive;
            return res;
        }
    }
}
