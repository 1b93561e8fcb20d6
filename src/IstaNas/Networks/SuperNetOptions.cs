using IstaNas.Architecture;

namespace IstaNas.Networks;

/// <summary>Configuration of the search super-net (<see cref="SuperNet"/>); defaults are the two-stage proxy network (C = 16, L = 8).</summary>
public sealed record SuperNetOptions : NetworkShape
{
    /// <summary>The two-stage proxy network's super-net.</summary>
    public SuperNetOptions()
    {
    }

    /// <summary>A super-net of the given shape.</summary>
    /// <param name="shape">Channels, cells, stem, input channels, classes, auxiliary head.</param>
    public SuperNetOptions(NetworkShape shape)
        : base(shape ?? throw new ArgumentNullException(nameof(shape)))
    {
    }

    /// <summary>Intermediate nodes per cell (N). Default 4.</summary>
    public int Nodes { get; init; } = 4;

    /// <summary>
    /// The candidate operations (K = count), any subset of <see cref="IstaNas.Architecture.Operations.Default"/>
    /// (the DARTS baseline may add <see cref="IstaNas.Architecture.Operations.None"/>). Default: all seven, in the paper's order.
    /// </summary>
    public IReadOnlyList<string> Operations { get; init; } = IstaNas.Architecture.Operations.Default;

    /// <summary>Whether the BNs have learnable scale and shift. False for the two-stage search (the default).</summary>
    public bool Affine { get; init; }

    /// <summary>
    /// Which parameter-free candidates get a BN appended. Default <see cref="AppendedBatchNorm.Pools"/>, as in the
    /// search super-nets of the authors and of DARTS (two-stage, DARTS baseline); the one-stage super-net uses
    /// <see cref="AppendedBatchNorm.PoolsAndSkip"/>. Internal: the strategy that builds the super-net chooses it.
    /// </summary>
    internal AppendedBatchNorm AppendedBatchNorm { get; init; } = AppendedBatchNorm.Pools;

    /// <summary>Number of candidate operations K.</summary>
    public int OperationCount => Operations.Count;

    /// <summary>Number of candidates of intermediate node <paramref name="node"/>: <c>(node + 2) * K</c>.</summary>
    /// <param name="node">0-based intermediate node index.</param>
    /// <returns>The candidate count.</returns>
    public int CandidateCount(int node) => CandidateIndex.Count(node, Operations.Count);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        NetworkValidation.AtLeast(Nodes, 1, nameof(Nodes));
        if (Operations is null || Operations.Count == 0)
        {
            throw new ArgumentException("Operations must list at least one operation.", nameof(Operations));
        }

        foreach (var name in Operations)
        {
            if (name is null || !OperationFactory.IsSupported(name))
            {
                throw new ArgumentException(
                    $"Operations contains unknown operation '{name}'; expected names from {string.Join(", ", IstaNas.Architecture.Operations.Default)} or {IstaNas.Architecture.Operations.None}.",
                    nameof(Operations));
            }
        }

        var duplicate = Operations.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Operations lists '{duplicate.Key}' more than once.", nameof(Operations));
        }
    }
}
