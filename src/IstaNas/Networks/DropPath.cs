using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>Drop path (DARTS <c>drop_path</c>): zeroes whole samples of an operation's output and rescales the rest.</summary>
internal static class DropPath
{
    /// <summary>
    /// Multiplies each sample of <paramref name="x"/> by an independent Bernoulli(1 - p) mask divided by 1 - p.
    /// Returns <paramref name="x"/> unchanged (same object) when <paramref name="probability"/> is 0.
    /// </summary>
    /// <param name="x">A 4-D tensor <c>[batch, channels, height, width]</c>.</param>
    /// <param name="probability">The drop probability p, in [0, 1).</param>
    /// <returns>The masked and rescaled tensor (a new tensor when p &gt; 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1).</exception>
    public static Tensor Apply(Tensor x, double probability)
    {
        if (probability is < 0.0 or >= 1.0 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The drop-path probability must be in [0, 1).");
        }

        if (probability == 0.0)
        {
            return x;
        }

        double keep = 1.0 - probability;
        var mask = torch.empty([x.shape[0], 1, 1, 1], dtype: x.dtype, device: x.device).bernoulli_(keep);
        using Scalar divisor = keep; // kept alive through the call (KeptScalars)
        return x.div(divisor).mul(mask);
    }
}
