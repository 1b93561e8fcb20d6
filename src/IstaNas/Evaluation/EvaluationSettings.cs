using IstaNas.Architecture;

namespace IstaNas.Evaluation;

/// <summary>What rebuilds an evaluation, stored in its checkpoints so that it can continue from the file alone.</summary>
/// <param name="Genotype">The architecture trained.</param>
/// <param name="Options">The training options.</param>
internal sealed record EvaluationSettings(Genotype Genotype, EvaluationOptions Options);
