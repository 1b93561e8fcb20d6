using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The forward pass of a <see cref="BatchNorm2d"/>, computed exactly as TorchSharp's <c>BatchNorm.forward</c> does
/// (same functional call, same running-statistics update and batch counter) but without the temporary Scalars of its
/// <c>num_batches_tracked.add_(1)</c>, which a garbage collection on another thread can free while LibTorch reads them
/// (<see cref="KeptScalars"/>). The candidate operations call it for every BN they own: the most frequent call of a step.
/// </summary>
internal static class BatchNorms
{
    /// <summary>Normalises <paramref name="input"/> (N, C, H, W) with <paramref name="bn"/> in its current mode.</summary>
    /// <param name="bn">The batch normalisation.</param>
    /// <param name="input">A 4-D input.</param>
    /// <returns>The normalised tensor.</returns>
    public static Tensor Forward(BatchNorm2d bn, Tensor input)
    {
        if (input.dim() != 4) throw new ArgumentException($"BatchNorm2d expects a 4-D input, got {input.dim()} dimensions.", nameof(input));
        double factor = bn.momentum ?? 0.0;
        if (bn.training && bn.track_running_stats && bn.num_batches_tracked is { } tracked)
        {
            tracked.add_(KeptScalars.One, KeptScalars.One);
            if (bn.momentum is null) factor = 1.0 / tracked.item<long>();
        }

        bool useBatchStatistics = bn.training || (bn.running_mean is null && bn.running_var is null);
        bool useRunning = !bn.training || bn.track_running_stats;
        return nn.functional.batch_norm(input, useRunning ? bn.running_mean : null, useRunning ? bn.running_var : null, bn.weight, bn.bias,
            useBatchStatistics, factor, bn.eps);
    }
}
