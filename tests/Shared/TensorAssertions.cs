using static TorchSharp.torch;

namespace IstaNas.Tests;

internal static class TensorAssertions
{
    /// <summary>Same shape and bit-for-bit the same values.</summary>
    public static bool Same(this Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
    }
}
