namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The BN settings of a NAS-Bench-201 cell: the inference network's cells use affine BN with running statistics, the
/// benchmark's search cells non-affine BN (<c>affine=False</c>, running statistics per the search's <c>--track_running_stats</c>),
/// and the zero-cost proxies' synflow copy none at all (<see cref="Enabled"/> false).
/// </summary>
/// <param name="Enabled">Whether the cells have BN layers.</param>
/// <param name="Affine">Learnable scale and shift; the convolutions have a bias exactly when this is false.</param>
/// <param name="TrackRunningStats">Running mean and variance (otherwise batch statistics also in eval mode).</param>
internal readonly record struct Nb201BatchNorm(bool Enabled, bool Affine, bool TrackRunningStats)
{
    public static Nb201BatchNorm Inference => new(true, true, true);
}
