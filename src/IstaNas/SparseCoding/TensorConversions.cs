using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>Copies between TorchSharp tensors and MathNet float64 matrices and vectors.</summary>
internal static class TensorConversions
{
    /// <summary>Copies a 2-D tensor [m, n] (any device, float32/float64) to a dense MathNet matrix.</summary>
    /// <param name="t">The tensor.</param>
    /// <param name="paramName">Name used in exception messages.</param>
    /// <returns>A new m x n matrix.</returns>
    public static Matrix<double> ToMatrix(Tensor t, string paramName = "a")
    {
        ArgumentNullException.ThrowIfNull(t, paramName);
        if (t.dim() != 2)
        {
            throw new ArgumentException($"Shape mismatch: {paramName} has {t.dim()} dimensions, expected [m, n].", paramName);
        }

        TensorChecks.RequireSupportedDtype(t, paramName);
        using var scope = NewDisposeScope();
        var rows = (int)t.shape[0];
        var cols = (int)t.shape[1];
        var data = t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        return Matrix<double>.Build.Dense(rows, cols, (i, j) => data[(i * cols) + j]);
    }

    /// <summary>Copies a 1-D tensor (any device, float32/float64) to a dense MathNet vector.</summary>
    /// <param name="t">The tensor.</param>
    /// <param name="paramName">Name used in exception messages.</param>
    /// <returns>A new vector.</returns>
    public static Vector<double> ToVector(Tensor t, string paramName = "b")
    {
        ArgumentNullException.ThrowIfNull(t, paramName);
        if (t.dim() != 1)
        {
            throw new ArgumentException($"Shape mismatch: {paramName} has {t.dim()} dimensions, expected a vector.", paramName);
        }

        TensorChecks.RequireSupportedDtype(t, paramName);
        using var scope = NewDisposeScope();
        return Vector<double>.Build.DenseOfArray(t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray());
    }
}
