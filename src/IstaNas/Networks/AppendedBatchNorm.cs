namespace IstaNas.Networks;

/// <summary>Which parameter-free candidate operations get a <c>BatchNorm2d</c> appended.</summary>
internal enum AppendedBatchNorm
{
    /// <summary>None: the plain DARTS operations (the two-stage evaluation network).</summary>
    None = 0,

    /// <summary>
    /// Pooling candidates only: the search super-nets of two-stage ISTA-NAS and DARTS, whose <c>MixedOp</c> appends
    /// <c>BatchNorm2d(C, affine=False)</c> to <c>max_pool_3x3</c> and <c>avg_pool_3x3</c>.
    /// </summary>
    Pools = 1,

    /// <summary>Pools and the stride-1 identity skip: the one-stage form, where every candidate ends with a BN.</summary>
    PoolsAndSkip = 2,
}
