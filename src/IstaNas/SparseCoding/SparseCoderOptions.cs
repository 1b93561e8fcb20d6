using System.ComponentModel.DataAnnotations;

namespace IstaNas.SparseCoding;

/// <summary>
/// Options of the sparse coders (<see cref="SparseCoder.Create(SparseCoderOptions)"/>), validated by their data
/// annotations (as <c>services.AddIstaNas(...)</c> does); a coder given invalid options throws
/// <see cref="ArgumentOutOfRangeException"/> naming the option and its value.
/// </summary>
public sealed class SparseCoderOptions
{
    /// <summary>Default L1 weight, as in the paper.</summary>
    public const double DefaultLambda = 1e-5;

    /// <summary>
    /// lambda: weight of the L1 term in 1/2 ||A z - b||_2^2 + lambda ||z||_1. Must be finite and &gt;= 0.
    /// </summary>
    [Range(0.0, double.MaxValue, ErrorMessage = "{0} must be finite and >= 0.")]
    public double Lambda { get; set; } = DefaultLambda;

    /// <summary>
    /// Stopping tolerance on the scaled KKT residual (see <see cref="KktResidual"/>); must be finite and &gt; 0.
    /// The default 1e-6 is reachable in float64; in float32 the residual bottoms out near 1e-6..1e-5 of the
    /// scale, so use 1e-4 there or expect <see cref="SparseCodeResult.Converged"/> to be false.
    /// </summary>
    [Range(double.Epsilon, double.MaxValue, ErrorMessage = "{0} must be finite and > 0.")]
    public double Tolerance { get; set; } = 1e-6;

    /// <summary>Maximum number of iterations per problem; must be &gt; 0.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be > 0.")]
    public int MaxIterations { get; set; } = 20000;

    /// <summary>
    /// The KKT residual is checked (one host-device synchronisation) every this many iterations; must be &gt; 0.
    /// Reported iteration counts are therefore multiples of this value (or <see cref="MaxIterations"/>).
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be > 0.")]
    public int CheckInterval { get; set; } = 10;

    /// <summary>
    /// The method <see cref="SparseCoder.Create(SparseCoderOptions)"/> selects: <see cref="SparseCodingMethod.Auto"/>
    /// (default: the exact active-set coder for small CPU problems, FISTA otherwise), ActiveSet, Ista or Fista.
    /// A <see cref="TensorSparseCoder"/> runs ISTA for Ista and FISTA for every other value.
    /// </summary>
    [EnumDataType(typeof(SparseCodingMethod), ErrorMessage = "{0} is not a sparse coding method.")]
    public SparseCodingMethod Method { get; set; } = SparseCodingMethod.Auto;

    /// <summary>
    /// FISTA only: gradient-based adaptive restart (O'Donoghue and Candès 2015). When
    /// (y_k - z_{k+1}) . (z_{k+1} - z_k) &gt; 0 for a problem, its momentum is reset (t = 1, y = z_{k+1}).
    /// Restores linear convergence on the small, strongly convex-on-the-support problems of ISTA-NAS.
    /// </summary>
    public bool AdaptiveRestart { get; set; } = true;
}
