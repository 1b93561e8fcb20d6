using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The compressed space of a decision with K candidates: a measurement matrix A of m x K with m &lt; K, sampled once and
/// never changed, so that the learnable latent vector <c>b = A z</c> (length m) is a compressed measurement of the
/// sparse code z (length K). The authors sample A i.i.d. uniform on [0, 1) (<see cref="MeasurementMatrixKind.Uniform"/>);
/// the textbook compressed-sensing choice is a Gaussian matrix with unit columns (<see cref="MeasurementMatrixKind.Gaussian"/>).
/// </summary>
internal static class MeasurementMatrix
{
    /// <summary>Samples A (float32) from <paramref name="generator"/>; temporaries go to the caller's dispose scope.</summary>
    /// <param name="kind">Uniform on [0, 1), or column-normalised Gaussian.</param>
    /// <param name="m">Rows: the projection dimension m (below K).</param>
    /// <param name="k">Columns: the decision's candidates K.</param>
    /// <param name="generator">The space's seeded generator (A and b of every decision are drawn from it in turn).</param>
    /// <returns>A, m x K.</returns>
    public static Tensor Sample(MeasurementMatrixKind kind, int m, int k, Generator generator) =>
        kind == MeasurementMatrixKind.Uniform
            ? rand(m, k, generator: generator, dtype: float32)
            : NormaliseColumns(randn(m, k, generator: generator, dtype: float32));

    private static Tensor NormaliseColumns(Tensor a) => a / a.norm(0, keepdim: true).clamp_min(1e-12);
}
