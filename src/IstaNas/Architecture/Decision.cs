namespace IstaNas.Architecture;

/// <summary>
/// One decision of a compressed search space: keep <paramref name="Picks"/> (s) of <paramref name="Count"/> (K)
/// candidates, searched in its own compressed space of <paramref name="ProjectionDims"/> (m) measurements: A in
/// R^{m x K}, b in R^m, z in R^K. A choice of a model is one decision (key = the choice's name); the DARTS cell space has
/// one per intermediate node ("normal/0" .. "reduce/N-1").
/// </summary>
/// <param name="Key">Unique name of the decision; it keys reports, checkpoints and architectures.</param>
/// <param name="Count">K, the number of candidates (at least 2).</param>
/// <param name="Picks">s, how many candidates the architecture keeps (1..K-1).</param>
/// <param name="ProjectionDims">m, the rows of A (s..K-1: compressed means fewer measurements than candidates); 0 where no compressed space is involved (a super-net's decisions, DARTS).</param>
public sealed record Decision(string Key, int Count, int Picks, int ProjectionDims = 0)
{
    /// <summary>The projection dimension m a choice of K candidates gets by default: <c>min(m, K - 1)</c>.</summary>
    /// <param name="projectionDims">The space-wide m (the search space options' ProjectionDims).</param>
    /// <param name="count">K.</param>
    /// <returns>The decision's m.</returns>
    public static int DefaultProjectionDims(int projectionDims, int count) => Math.Min(projectionDims, count - 1);

    /// <summary>What is wrong with this decision as a decision of a compressed space, or null.</summary>
    internal string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Key)) return "A decision needs a non-empty key.";
        if (Count < 2) return $"Choice '{Key}' has K = {Count} candidates; a decision needs at least 2.";
        if (Picks < 1 || Picks >= Count) return $"Choice '{Key}' keeps s = {Picks} of K = {Count} candidates; s must be in 1..{Count - 1}.";
        if (ProjectionDims >= Count)
            return $"Choice '{Key}' has m = {ProjectionDims} measurements for K = {Count} candidates; ISTA-NAS compresses, so m must be below K " +
                   $"(at most {Count - 1}; set SearchSpace.ProjectionDimsByChoice[\"{Key}\"] or lower SearchSpace.ProjectionDims).";
        if (ProjectionDims < Picks)
            return $"Choice '{Key}' has m = {ProjectionDims} measurements but keeps s = {Picks} candidates; a code recovered from m measurements " +
                   "has at most m reliable non-zero entries, so m must be at least s.";
        return null;
    }
}
