using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>Argument checks on tensors shared by the sparse coding types.</summary>
internal static class TensorChecks
{
    /// <summary>Throws unless the tensor is float32 or float64.</summary>
    public static void RequireSupportedDtype(Tensor t, string paramName)
    {
        if (t.dtype != ScalarType.Float32 && t.dtype != ScalarType.Float64)
        {
            throw new ArgumentException($"Unsupported dtype {t.dtype}: only Float32 and Float64 are supported.", paramName);
        }
    }

    /// <summary>Throws unless every entry is finite.</summary>
    public static void RequireFinite(Tensor t, string paramName)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (!isfinite(t).all().item<bool>())
        {
            var bad = t.masked_select(isfinite(t).logical_not())[0].ToDouble();
            throw new ArgumentException($"Non-finite value {bad} in {paramName}.", paramName);
        }
    }

    /// <summary>
    /// Throws unless the Gram matrices of <paramref name="a"/> are finite: with entries near the square root of the
    /// dtype's largest value, A^T A overflows and the eigenvalue solver fails natively or the solvers return z = 0.
    /// </summary>
    public static void RequireFiniteGram(Tensor gram, Tensor a, string paramName)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (!isfinite(gram).all().item<bool>())
        {
            double largest = a.abs().max().ToDouble();
            double limit = a.dtype == ScalarType.Float32 ? float.MaxValue : double.MaxValue;
            throw new ArgumentException(
                $"The Gram matrix A^T A of {paramName} overflows {a.dtype}: its largest |entry| is {largest:G3}, and products of entries must stay below " +
                $"{limit:G3}. Rescale A (for example divide it by {largest:G3}) or use float64.", paramName);
        }
    }

    /// <summary>Throws unless the tensor has the expected dtype and device.</summary>
    public static void RequireSameKind(Tensor t, ScalarType dtype, Device device, string paramName)
    {
        if (t.dtype != dtype)
        {
            throw new ArgumentException($"dtype mismatch: {paramName} is {t.dtype} but A is {dtype}.", paramName);
        }

        if (t.device.type != device.type || t.device.index != device.index)
        {
            throw new ArgumentException($"Device mismatch: {paramName} is on {t.device} but A is on {device}.", paramName);
        }
    }
}
