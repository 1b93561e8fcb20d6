using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.MacroCounts;

/// <summary>
/// FLOPs as NAS-Bench-Macro's <c>train/utils.py</c> <c>count_FLOPs</c> counts them: every Conv2d in module order,
/// <c>in * out * h_out * w_out / groups * k * k</c> with the spatial size carried from one convolution to the next
/// (starting from the image), plus <c>in * out</c> of every Linear; BNs, activations, pooling and additions count 0.
/// </summary>
internal static class BenchmarkFlops
{
    public static long Count(nn.Module network, long height, long width)
    {
        long total = 0;
        foreach (nn.Module module in network.modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    height = Output(height, conv.kernel_size?[0] ?? 1, conv.stride?[0] ?? 1, conv.padding?[0] ?? 0);
                    width = Output(width, Last(conv.kernel_size, 1), Last(conv.stride, 1), Last(conv.padding, 0));
                    total += conv.in_channels * conv.out_channels * height * width / conv.groups * (conv.kernel_size?[0] ?? 1) * Last(conv.kernel_size, 1);
                    break;
                case Linear linear:
                    total += linear.in_features * linear.out_features;
                    break;
            }
        }

        return total;
    }

    private static long Output(long size, long kernel, long stride, long padding) => ((size + (2 * padding) - kernel) / stride) + 1;

    private static long Last(long[]? values, long fallback) => values is null || values.Length == 0 ? fallback : values[^1];
}
