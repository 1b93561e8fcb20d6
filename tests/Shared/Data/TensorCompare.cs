using static TorchSharp.torch;

namespace IstaNas.Tests.Data;

internal static class TensorCompare
{
    /// <summary>True when both tensors have the same shape and exactly equal elements.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
