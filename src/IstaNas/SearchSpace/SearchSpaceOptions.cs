using System.ComponentModel.DataAnnotations;
using IstaNas.Architecture;

namespace IstaNas.SearchSpace;

/// <summary>Shape of the compressed search space: cells, candidates, projection size m and sparsity s.</summary>
public sealed class SearchSpaceOptions : IValidatableObject
{
    /// <summary>Intermediate nodes per cell (N). Default 4.</summary>
    [Range(1, 16)]
    public int Nodes { get; set; } = 4;

    /// <summary>Candidate operations (K of them), any non-empty subset of <see cref="Architecture.Operations.Default"/>. Default all 7.</summary>
    [Required]
    [MinLength(1)]
    public IList<string> Operations { get; set; } = [.. Architecture.Operations.Default];

    /// <summary>Projection dimension m: rows of every measurement matrix A (length of every b). Default 7.</summary>
    [Range(1, 100_000)]
    public int ProjectionDims { get; set; } = 7;

    /// <summary>Sparsity s: candidates kept per node (the support size). Default 2.</summary>
    [Range(1, 64)]
    public int Sparsity { get; set; } = 2;

    /// <summary>How A is sampled. Default <see cref="MeasurementMatrixKind.Uniform"/> (the authors' choice).</summary>
    [EnumDataType(typeof(MeasurementMatrixKind))]
    public MeasurementMatrixKind Matrix { get; set; } = MeasurementMatrixKind.Uniform;

    /// <summary>Standard deviation of the initial latent vectors b (b = scale * N(0, 1)); positive (0 keeps b and z at 0 forever). Default 1e-3.</summary>
    [Range(0.0, 1e6, MinimumIsExclusive = true,
        ErrorMessage = "{0} must be above {1} and at most {2}: at 0, b starts at 0, so z = 0 and no candidate runs; b then never gets a gradient. Use a positive scale (the authors' 1e-3).")]
    public double LatentInitScale { get; set; } = 1e-3;

    /// <summary>
    /// Projection dimension m of individual choices of a model with choices (<c>SearchBuilder.UseSpace</c>), by choice name.
    /// A choice not listed gets <c>min(ProjectionDims, K - 1)</c>: ISTA-NAS compresses K candidates into m &lt; K
    /// measurements, so a choice of 3 candidates gets m = 2. Every m must be in s..K-1. Not used by the DARTS cell space.
    /// </summary>
    public IDictionary<string, int> ProjectionDimsByChoice { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Number of candidates of node <paramref name="node"/>: (node + 2) * K.</summary>
    public int CandidateCount(int node) => CandidateIndex.Count(node, Operations.Count);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ProjectionDims < Sparsity)
            yield return new ValidationResult(
                $"ProjectionDims m = {ProjectionDims} is below the sparsity s = {Sparsity}: a code recovered from m measurements has at most m " +
                "reliable non-zero entries, so m must be at least s.", [nameof(ProjectionDims)]);
        if (Operations is null) yield break;
        foreach (string op in Operations)
            if (!Architecture.Operations.IsKnown(op))
                yield return new ValidationResult(
                    $"Unknown operation '{op}'; candidates are {string.Join(", ", Architecture.Operations.Default)}.", [nameof(Operations)]);
        if (Operations.Distinct(StringComparer.Ordinal).Count() != Operations.Count)
            yield return new ValidationResult("An operation is listed twice.", [nameof(Operations)]);
        if (Operations.Count > 0 && Sparsity > CandidateCount(0))
            yield return new ValidationResult(
                $"Sparsity s = {Sparsity} exceeds the {CandidateCount(0)} candidates of node 0 (2 inputs x {Operations.Count} operations).", [nameof(Sparsity)]);
    }
}
