using IstaNas.Architecture;

namespace IstaNas.Quality;

/// <summary>One architecture of a <see cref="ConsistencyStudy"/>: its score in the super-net and its accuracy trained alone.</summary>
/// <param name="Index">0-based position in the seeded sample.</param>
/// <param name="Genotype">The architecture.</param>
/// <param name="SuperNetAccuracy">Validation top-1 (0..1) in the super-net: inherited weights, BN statistics recalibrated.</param>
/// <param name="StandAloneAccuracy">Test top-1 (0..1) after training from scratch with the study's budget.</param>
/// <param name="ParameterCount">Parameters of the stand-alone network (without the auxiliary head).</param>
public sealed record ConsistencyPoint(int Index, Genotype Genotype, double SuperNetAccuracy, double StandAloneAccuracy, long ParameterCount);
