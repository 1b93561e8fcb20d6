using TorchSharp;

namespace IstaNas.Networks;

/// <summary>
/// Scalars that live as long as the process, for the hot paths. TorchSharp 0.107 turns a number passed where a
/// <see cref="Scalar"/> is expected (also the default <c>alpha = 1</c> of <c>add</c> and <c>add_</c>) into a temporary
/// Scalar that nothing keeps alive during the native call: a garbage collection started by another thread at that moment
/// can finalize it while LibTorch reads it, and the process dies with c10's "Unknown scalar type". A static Scalar, or
/// one held by a <c>using</c> until after the call, cannot be collected early.
/// </summary>
internal static class KeptScalars
{
    /// <summary>The integer 1 (an increment, or the <c>alpha</c> of a plain addition).</summary>
    public static readonly Scalar One = 1;
}
