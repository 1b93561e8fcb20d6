using IstaNas.Architecture;

namespace IstaNas.Evaluation;

/// <summary>What rebuilds an evaluation, stored in its checkpoints so that it can continue from the file alone.</summary>
/// <param name="Genotype">The architecture trained; null for a user model (whose factory the caller gives again).</param>
/// <param name="Options">The training options.</param>
internal sealed record EvaluationSettings(Genotype? Genotype, EvaluationOptions Options);
