using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IstaNas.Networks;

/// <summary>
/// Makes the OpenMP threads of LibTorch's CPU kernels sleep instead of spin at barriers (<c>OMP_WAIT_POLICY=PASSIVE</c>)
/// unless the user set a policy. On a machine shared with other busy processes, spinning OpenMP threads that lose their
/// core stall every parallel region: a search step measured 20.8 s with the default policy and 0.48 s with PASSIVE
/// (2 threads, 2 shared cores; docs/benchmarks.md). On an idle machine the two policies measure the same.
/// The variable must reach the native environment (libc <c>setenv</c>; .NET's own environment is not seen by native
/// code on Unix) before LibTorch loads, hence a module initializer: it runs when this assembly loads.
/// </summary>
internal static class NativeThreading
{
    private const string WaitPolicy = "OMP_WAIT_POLICY";

#pragma warning disable CA2255 // Must run before the first TorchSharp call loads libgomp.
    [ModuleInitializer]
    internal static void Initialize()
#pragma warning restore CA2255
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(WaitPolicy) is not null) return;
        try
        {
            _ = setenv(WaitPolicy, "PASSIVE", 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not a libc platform: keep the default policy.
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);
}
