using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>
/// Host float64 copies of the padded matrices A of a <see cref="SparseCodingProblem"/>, column-major per problem,
/// cached per shared A tensor: every problem made with <see cref="SparseCodingProblem.WithB(Tensor)"/> shares the
/// same A, so the copy is made once per search, not once per epoch. The cache entry lives as long as the A tensor
/// object (weak keys); A must not be modified in place after the first solve.
/// </summary>
internal sealed class HostMatrices
{
    private static readonly ConditionalWeakTable<Tensor, HostMatrices> Cache = new();

    private HostMatrices(double[][] columns, int rows)
    {
        Columns = columns;
        Rows = rows;
    }

    /// <summary>A_i column-major: column j of problem i at [j * m, (j + 1) * m) of Columns[i].</summary>
    public double[][] Columns { get; }

    /// <summary>m: rows of every A_i.</summary>
    public int Rows { get; }

    /// <summary>The host copy of the problem's A (made on first use, then cached).</summary>
    public static HostMatrices Of(SparseCodingProblem problem) =>
        Cache.GetValue(problem.A, _ => Copy(problem));

    private static HostMatrices Copy(SparseCodingProblem problem)
    {
        var batch = problem.BatchSize;
        var m = problem.Rows;
        var nMax = problem.MaxColumns;
        double[] data;
        using (NewDisposeScope())
        using (no_grad())
        {
            data = problem.A.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        }

        var columns = new double[batch][];
        for (var i = 0; i < batch; i++)
        {
            var n = problem.ColumnCounts[i];
            var a = new double[m * n];
            var offset = i * m * nMax;
            for (var r = 0; r < m; r++)
            {
                for (var j = 0; j < n; j++)
                {
                    a[(j * m) + r] = data[offset + (r * nMax) + j];
                }
            }

            columns[i] = a;
        }

        return new HostMatrices(columns, m);
    }
}
