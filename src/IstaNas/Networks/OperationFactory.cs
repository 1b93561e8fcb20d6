using IstaNas.Architecture;

namespace IstaNas.Networks;

/// <summary>Builds candidate operations by name (DARTS' <c>OPS</c> table).</summary>
internal static class OperationFactory
{
    /// <summary>True for the names <see cref="Create"/> accepts: the seven candidates and <see cref="Operations.None"/>.</summary>
    /// <param name="name">An operation name.</param>
    /// <returns>Whether the name is supported.</returns>
    public static bool IsSupported(string name) => Operations.IsKnown(name) || name == Operations.None;

    /// <summary>Creates the operation <paramref name="name"/> for an edge of a cell with <paramref name="channels"/> channels.</summary>
    /// <param name="name">A name from <see cref="Operations"/> (one of <see cref="Operations.Default"/> or <see cref="Operations.None"/>).</param>
    /// <param name="channels">Input and output channels of the edge.</param>
    /// <param name="stride">1, or 2 on the edges from the cell inputs of a reduction cell.</param>
    /// <param name="affine">Whether the BNs have learnable scale and shift.</param>
    /// <param name="appended">
    /// Which parameter-free operations get a BN appended: none, the pools (the search super-nets), or the pools and the
    /// stride-1 identity (the one-stage form). The skip connection on a stride-2 edge is <see cref="FactorizedReduce"/>,
    /// which already ends with a BN.
    /// </param>
    /// <returns>The new operation.</returns>
    /// <exception cref="ArgumentException">Unknown name, non-positive channels, or a stride other than 1 or 2.</exception>
    public static Operation Create(string name, int channels, int stride, bool affine, AppendedBatchNorm appended)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (channels < 1)
        {
            throw new ArgumentException($"channels must be positive, got {channels}.", nameof(channels));
        }

        if (stride is not (1 or 2))
        {
            throw new ArgumentException($"stride must be 1 or 2, got {stride}.", nameof(stride));
        }

        return name switch
        {
            Operations.None => new Zero(stride),
            Operations.MaxPool3x3 => new Pool(PoolKind.Max, channels, stride, affine, appended != AppendedBatchNorm.None),
            Operations.AvgPool3x3 => new Pool(PoolKind.Average, channels, stride, affine, appended != AppendedBatchNorm.None),
            Operations.SkipConnect => stride == 1
                ? new Skip(channels, affine, appended == AppendedBatchNorm.PoolsAndSkip)
                : new FactorizedReduce(channels, channels, affine),
            Operations.SepConv3x3 => new SepConv(channels, channels, 3, stride, 1, affine),
            Operations.SepConv5x5 => new SepConv(channels, channels, 5, stride, 2, affine),
            Operations.DilConv3x3 => new DilConv(channels, channels, 3, stride, 2, 2, affine),
            Operations.DilConv5x5 => new DilConv(channels, channels, 5, stride, 4, 2, affine),
            _ => throw new ArgumentException(
                $"Unknown operation '{name}'; expected one of {string.Join(", ", Operations.Default)} or {Operations.None}.",
                nameof(name)),
        };
    }
}
