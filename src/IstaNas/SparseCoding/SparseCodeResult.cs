using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>The result of a batched sparse coding solve. Owns <see cref="Z"/>; dispose it.</summary>
public sealed class SparseCodeResult : IDisposable
{
    private readonly Tensor _z;
    private bool _disposed;

    /// <summary>Creates a result; takes ownership of <paramref name="z"/>.</summary>
    /// <param name="z">z: padded codes [B, nMax], zero beyond n_i.</param>
    /// <param name="columnCounts">n_i per problem.</param>
    /// <param name="iterations">Iterations run per problem.</param>
    /// <param name="objective">1/2 ||A_i z_i - b_i||^2 + lambda ||z_i||_1 per problem.</param>
    /// <param name="kktResidual">Scaled KKT residual per problem (see <see cref="KktResidual"/>).</param>
    /// <param name="converged">Whether the residual reached the tolerance, per problem.</param>
    public SparseCodeResult(Tensor z, IReadOnlyList<int> columnCounts, int[] iterations, double[] objective, double[] kktResidual, bool[] converged)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(columnCounts);
        ArgumentNullException.ThrowIfNull(iterations);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(kktResidual);
        ArgumentNullException.ThrowIfNull(converged);
        var count = columnCounts.Count;
        if (z.dim() != 2 || z.shape[0] != count || iterations.Length != count || objective.Length != count
            || kktResidual.Length != count || converged.Length != count)
        {
            throw new ArgumentException($"Inconsistent result sizes: z [{string.Join(", ", z.shape)}] for {count} problems.", nameof(z));
        }

        _z = z;
        ColumnCounts = columnCounts;
        Iterations = iterations;
        Objective = objective;
        KktResidual = kktResidual;
        Converged = converged;
    }

    /// <summary>z: padded sparse codes [B, nMax]; entries beyond n_i are exactly 0. Owned by the result.</summary>
    public Tensor Z
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _z;
        }
    }

    /// <summary>n_i per problem.</summary>
    public IReadOnlyList<int> ColumnCounts { get; }

    /// <summary>Iterations run per problem (0 if the start point already satisfied the tolerance).</summary>
    public int[] Iterations { get; }

    /// <summary>1/2 ||A_i z_i - b_i||^2 + lambda ||z_i||_1 per problem.</summary>
    public double[] Objective { get; }

    /// <summary>Scaled KKT residual per problem at the returned z (see <see cref="SparseCoding.KktResidual"/>).</summary>
    public double[] KktResidual { get; }

    /// <summary>Whether each problem reached the tolerance within the iteration limit.</summary>
    public bool[] Converged { get; }

    /// <summary>Problem i's code as a new length-n_i tensor (a view of <see cref="Z"/>); the caller disposes it.</summary>
    /// <param name="i">Problem index.</param>
    /// <returns>z_i [n_i].</returns>
    public Tensor Code(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, ColumnCounts.Count);
        using var row = Z[i];
        return row.narrow(0, 0, ColumnCounts[i]);
    }

    /// <summary>Problem i's code copied to the host as float64.</summary>
    /// <param name="i">Problem index.</param>
    /// <returns>z_i as an array of length n_i.</returns>
    public double[] CodeArray(int i)
    {
        using var scope = NewDisposeScope();
        return Code(i).to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _z.Dispose();
        }
    }
}
