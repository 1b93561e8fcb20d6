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
