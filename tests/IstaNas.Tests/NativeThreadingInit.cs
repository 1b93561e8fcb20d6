using System.Runtime.CompilerServices;

namespace IstaNas.Tests;

internal static class NativeThreadingInit
{
    /// <summary>OMP_WAIT_POLICY=PASSIVE before any test loads LibTorch (spinning OpenMP threads stall on a busy machine).</summary>
    [ModuleInitializer]
    internal static void Initialize() => IstaNas.Networks.NativeThreading.Initialize();
}
