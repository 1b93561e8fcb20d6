using MathNet.Numerics;
using Microsoft.Extensions.Logging;

namespace IstaNas.SparseCoding;

/// <summary>
/// Selects the MathNet.Numerics linear algebra provider once per process: native MKL when the consuming
/// application ships MathNet.Numerics.Providers.MKL, the managed provider otherwise.
/// </summary>
internal static class MathNetProvider
{
    private static readonly Lazy<string> Active = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _logged;

    /// <summary>Whether the native MKL provider could be loaded (valid after <see cref="EnsureInitialized"/>).</summary>
    public static bool UsesNativeMkl { get; private set; }

    /// <summary>
    /// Tries MKL once (thread-safe), returns the active provider's description and logs it at Information level
    /// the first time a logger is given.
    /// </summary>
    /// <param name="logger">Where to log the provider (optional).</param>
    /// <returns>The active provider, e.g. "Managed".</returns>
    public static string EnsureInitialized(ILogger? logger)
    {
        var provider = Active.Value;
        if (logger is not null && Interlocked.Exchange(ref _logged, 1) == 0)
        {
            logger.LogInformation("MathNet.Numerics linear algebra provider: {Provider} (native MKL: {UsesNativeMkl})", provider, UsesNativeMkl);
        }

        return provider;
    }

    private static string Initialize()
    {
        UsesNativeMkl = Control.TryUseNativeMKL();
        if (!UsesNativeMkl)
        {
            Control.UseManaged();
        }

        return MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider.ToString() ?? "unknown";
    }
}
