using System.ComponentModel.DataAnnotations;
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
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int Nodes { get; init; } = 4;

    /// <summary>
    /// The candidate operations (K = count), any subset of <see cref="IstaNas.Architecture.Operations.Default"/>
    /// (the DARTS baseline may add <see cref="IstaNas.Architecture.Operations.None"/>). Default: all seven, in the paper's order.
    /// </summary>
    [Required(ErrorMessage = "{0} must list at least one operation.")]
    [MinLength(1, ErrorMessage = "{0} must list at least one operation.")]
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
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (ValidationResult result in base.Validate(validationContext))
            yield return result;
        foreach (string name in Operations.Where(n => n is null || !OperationFactory.IsSupported(n)))
        {
            yield return new ValidationResult(
                $"Operations contains unknown operation '{name}'; expected names from {string.Join(", ", IstaNas.Architecture.Operations.Default)} or {IstaNas.Architecture.Operations.None}.",
                [nameof(Operations)]);
        }

        var duplicate = Operations.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            yield return new ValidationResult($"Operations lists '{duplicate.Key}' more than once.", [nameof(Operations)]);
    }
}
