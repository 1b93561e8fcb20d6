using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>
/// B independent LASSO problems min_z 1/2 ||A_i z - b_i||^2 + lambda ||z||_1, stored as padded tensors so
/// that they are solved in one batched computation. Every A_i has the same m rows; the n_i columns differ and
/// are padded with zero columns to nMax. The A-dependent part (padded A, Lipschitz constants) is computed once
/// and shared by every problem made with <see cref="WithB(Tensor)"/>, because A is fixed across a whole search
/// while b changes. Each instance owns its tensors; dispose every instance (the shared part is reference counted).
/// </summary>
public sealed class SparseCodingProblem : IDisposable
{
    private readonly SharedMatrices _shared;
    private readonly Tensor _b;
    private readonly Tensor _atb;
    private readonly Tensor _atbInfNorm;
    private bool _disposed;

    private SparseCodingProblem(SharedMatrices shared, Tensor b)
    {
        _shared = shared;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _b = b;
        _atb = bmm(shared.A.transpose(1, 2), b.unsqueeze(2)).squeeze(2).DetachFromDisposeScope();
        if (!isfinite(_atb).all().item<bool>())
        {
            double aMax = shared.A.abs().max().ToDouble(), bMax = b.abs().max().ToDouble();
            _atb.Dispose();
            throw new ArgumentException(
                $"A^T b overflows {b.dtype} (largest |A| entry {aMax:G3}, largest |b| entry {bMax:G3}); rescale A or b so that their products stay finite.", nameof(b));
        }

        _atbInfNorm = _atb.abs().amax(1).DetachFromDisposeScope();
    }

    /// <summary>B: number of problems in the batch.</summary>
    public int BatchSize
    {
        get
        {
            EnsureAlive();
            return _shared.ColumnCounts.Length;
        }
    }

    /// <summary>m: number of rows of every A_i (the length of every b_i).</summary>
    public int Rows
    {
        get
        {
            EnsureAlive();
            return _shared.Rows;
        }
    }

    /// <summary>nMax: the largest n_i, the padded width of A and z.</summary>
    public int MaxColumns
    {
        get
        {
            EnsureAlive();
            return _shared.MaxColumns;
        }
    }

    /// <summary>n_i: the number of columns (code length) of each problem.</summary>
    public IReadOnlyList<int> ColumnCounts
    {
        get
        {
            EnsureAlive();
            return _shared.ColumnCounts;
        }
    }

    /// <summary>Element type of every tensor of the problem (Float32 or Float64).</summary>
    public ScalarType Dtype
    {
        get
        {
            EnsureAlive();
            return _shared.A.dtype;
        }
    }

    /// <summary>Device of every tensor of the problem.</summary>
    public Device Device
    {
        get
        {
            EnsureAlive();
            return _shared.A.device;
        }
    }

    /// <summary>A: padded measurement matrices [B, m, nMax], zero beyond column n_i. Owned by the problem.</summary>
    public Tensor A => Alive(_shared.A);

    /// <summary>b: latent vectors [B, m]. Owned by the problem.</summary>
    public Tensor B => Alive(_b);

    /// <summary>A^T b: [B, nMax]. Owned by the problem.</summary>
    public Tensor AtB => Alive(_atb);

    /// <summary>L: per-problem Lipschitz constant ||A_i||_2^2 (largest eigenvalue of A_i^T A_i), [B].</summary>
    public Tensor Lipschitz => Alive(_shared.Lipschitz);

    /// <summary>1 on the real columns of each problem and 0 on the padding, [B, nMax].</summary>
    public Tensor ColumnMask => Alive(_shared.ColumnMask);

    /// <summary>||A_i^T b_i||_inf, [B]; lambda at or above it makes z = 0 the solution.</summary>
    public Tensor AtBInfNorm => Alive(_atbInfNorm);

    /// <summary>
    /// Builds a batch from per-problem matrices and latent vectors. The inputs are copied; the caller keeps
    /// ownership of them.
    /// </summary>
    /// <param name="a">A_i: one [m, n_i] matrix per problem (same m, dtype and device for all).</param>
    /// <param name="b">b_i: one [m] vector per problem.</param>
    /// <returns>A new problem; dispose it.</returns>
    /// <exception cref="ArgumentException">Mismatched shapes, counts, dtypes or devices, empty dimensions,
    /// unsupported dtype or non-finite values.</exception>
    public static SparseCodingProblem Create(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0)
        {
            throw new ArgumentException("At least one problem is needed: a is empty.", nameof(a));
        }

        if (a.Count != b.Count)
        {
            throw new ArgumentException($"List lengths differ: a has {a.Count} matrices, b has {b.Count} vectors.", nameof(b));
        }

        var shared = SharedMatrices.Create(a);
        try
        {
            using var noGrad = no_grad();
            Tensor stacked;
            using (var scope = NewDisposeScope())
            {
                for (var i = 0; i < b.Count; i++)
                {
                    var name = $"{nameof(b)}[{i}]";
                    ArgumentNullException.ThrowIfNull(b[i], name);
                    if (b[i].dim() != 1 || b[i].shape[0] != shared.Rows)
                    {
                        throw new ArgumentException(
                            $"Shape mismatch: {name} has shape [{string.Join(", ", b[i].shape)}] but A[{i}] has {shared.Rows} rows (expected [{shared.Rows}]).", nameof(b));
                    }

                    TensorChecks.RequireSameKind(b[i], shared.A.dtype, shared.A.device, name);
                    TensorChecks.RequireFinite(b[i], name);
                }

                stacked = stack(b.Select(t => t.detach()).ToArray()).DetachFromDisposeScope();
            }

            return new SparseCodingProblem(shared, stacked);
        }
        catch
        {
            shared.Release();
            throw;
        }
    }

    /// <summary>
    /// The same A (shared, nothing recomputed but A^T b) with new latent vectors. The input is copied.
    /// </summary>
    /// <param name="b">b: new latent vectors [B, m], same dtype and device as A.</param>
    /// <returns>A new problem; dispose it (this instance stays valid).</returns>
    public SparseCodingProblem WithB(Tensor b)
    {
        EnsureAlive();
        ArgumentNullException.ThrowIfNull(b);
        if (b.dim() != 2 || b.shape[0] != BatchSize || b.shape[1] != Rows)
        {
            throw new ArgumentException(
                $"Shape mismatch: b has shape [{string.Join(", ", b.shape)}], expected [{BatchSize}, {Rows}].", nameof(b));
        }

        TensorChecks.RequireSameKind(b, Dtype, Device, nameof(b));
        TensorChecks.RequireFinite(b, nameof(b));
        Tensor copy;
        using (no_grad())
        {
            copy = b.detach().clone().DetachFromDisposeScope();     // owned by the problem, not the caller's scope
        }

        _shared.AddRef();
        try
        {
            return new SparseCodingProblem(_shared, copy);
        }
        catch
        {
            copy.Dispose();
            _shared.Release();
            throw;
        }
    }

    /// <summary>The same A with new per-problem latent vectors b_i (each [m]).</summary>
    /// <param name="b">b_i: one [m] vector per problem.</param>
    /// <returns>A new problem; dispose it.</returns>
    public SparseCodingProblem WithB(IReadOnlyList<Tensor> b)
    {
        EnsureAlive();
        ArgumentNullException.ThrowIfNull(b);
        if (b.Count != BatchSize)
        {
            throw new ArgumentException($"List lengths differ: the problem has {BatchSize} matrices, b has {b.Count} vectors.", nameof(b));
        }

        using var scope = NewDisposeScope();
        for (var i = 0; i < b.Count; i++)
        {
            var name = $"{nameof(b)}[{i}]";
            ArgumentNullException.ThrowIfNull(b[i], name);
            if (b[i].dim() != 1 || b[i].shape[0] != Rows)
            {
                throw new ArgumentException(
                    $"Shape mismatch: {name} has shape [{string.Join(", ", b[i].shape)}], expected [{Rows}].", nameof(b));
            }

            TensorChecks.RequireSameKind(b[i], Dtype, Device, name);
        }

        using var noGrad = no_grad();
        return WithB(stack(b.Select(t => t.detach()).ToArray()));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _b.Dispose();
        _atb.Dispose();
        _atbInfNorm.Dispose();
        _shared.Release();
    }

    private Tensor Alive(Tensor t)
    {
        EnsureAlive();
        return t;
    }

    /// <summary>Throws when disposed, saying so (its tensors are freed: reading them would fail inside LibTorch).</summary>
    private void EnsureAlive()
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(SparseCodingProblem),
                "This SparseCodingProblem was disposed, which freed its tensors; keep it undisposed while a coder solves it, or create a new one with SparseCodingProblem.Create.");
    }

    /// <summary>The A-dependent tensors, shared by reference count between problems with different b.</summary>
    private sealed class SharedMatrices
    {
        private int _references = 1;

        private SharedMatrices(Tensor a, Tensor lipschitz, Tensor columnMask, int[] columnCounts)
        {
            A = a;
            Lipschitz = lipschitz;
            ColumnMask = columnMask;
            ColumnCounts = columnCounts;
            Rows = (int)a.shape[1];
            MaxColumns = (int)a.shape[2];
        }

        public Tensor A { get; }

        public Tensor Lipschitz { get; }

        public Tensor ColumnMask { get; }

        public int[] ColumnCounts { get; }

        public int Rows { get; }

        public int MaxColumns { get; }

        public static SharedMatrices Create(IReadOnlyList<Tensor> a)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var counts = new int[a.Count];
            ArgumentNullException.ThrowIfNull(a[0], "a[0]");
            TensorChecks.RequireSupportedDtype(a[0], "a[0]");
            var dtype = a[0].dtype;
            var device = a[0].device;
            long m = -1;
            for (var i = 0; i < a.Count; i++)
            {
                var name = $"a[{i}]";
                ArgumentNullException.ThrowIfNull(a[i], name);
                if (a[i].dim() != 2)
                {
                    throw new ArgumentException($"Shape mismatch: {name} has {a[i].dim()} dimensions, expected a matrix [m, n].", nameof(a));
                }

                if (a[i].shape[0] == 0 || a[i].shape[1] == 0)
                {
                    throw new ArgumentException($"Empty dimension: {name} has shape [{a[i].shape[0]}, {a[i].shape[1]}]; m and n must be > 0.", nameof(a));
                }

                if (m >= 0 && a[i].shape[0] != m)
                {
                    throw new ArgumentException($"Shape mismatch: {name} has {a[i].shape[0]} rows but a[0] has {m}; every A_i must have the same m.", nameof(a));
                }

                m = a[i].shape[0];
                TensorChecks.RequireSameKind(a[i], dtype, device, name);
                TensorChecks.RequireFinite(a[i], name);
                counts[i] = checked((int)a[i].shape[1]);
            }

            var nMax = counts.Max();
            var padded = zeros(new long[] { a.Count, m, nMax }, dtype, device);
            var mask = zeros(new long[] { a.Count, nMax }, dtype, device);
            for (var i = 0; i < a.Count; i++)
            {
                padded[i].narrow(1, 0, counts[i]).copy_(a[i]);
                mask[i].narrow(0, 0, counts[i]).fill_(1);
            }

            // ||A||_2^2 = largest eigenvalue of the smaller Gram matrix (A A^T if m <= nMax, else A^T A).
            var gram = m <= nMax ? bmm(padded, padded.transpose(1, 2)) : bmm(padded.transpose(1, 2), padded);
            TensorChecks.RequireFiniteGram(gram, padded, "a");
            var tiny = dtype == ScalarType.Float32 ? 1e-30 : KktResidual.MinScale;
            var lipschitz = linalg.eigvalsh(gram).select(1, -1).clamp_min(tiny);
            return new SharedMatrices(
                padded.DetachFromDisposeScope(), lipschitz.DetachFromDisposeScope(), mask.DetachFromDisposeScope(), counts);
        }

        public void AddRef() => Interlocked.Increment(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                A.Dispose();
                Lipschitz.Dispose();
                ColumnMask.Dispose();
            }
        }
    }
}
