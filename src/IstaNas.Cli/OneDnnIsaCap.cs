using System.Runtime.InteropServices;

namespace IstaNas.Cli;

/// <summary>
/// On CPUs where the oneDNN inside libtorch 2.10 is known to compute wrong convolution gradients with its AVX-512
/// kernels (AMD family 0x1A, Zen 5: docs/troubleshooting.md), the CLI caps oneDNN at its AVX2 kernels
/// (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>), which are right and about as fast, instead of turning oneDNN off, which costs a
/// search step 2.7x. oneDNN reads the variable once, at its first convolution, so the cap is set before LibTorch loads.
/// Nothing is done when the user set the variable, elsewhere than on Linux, or when LibTorch is already loaded.
/// The CLI's check of the gradients (<see cref="CommonOptions.Values.ApplyRuntime"/>) runs either way and turns oneDNN
/// off where they are still wrong. The CLI is an application: the library changes no process-wide setting itself.
/// </summary>
internal static class OneDnnIsaCap
{
    /// <summary>What the run's log says when the cap was set (null when it was not).</summary>
    public static string? Note { get; private set; }

    /// <summary>Sets the cap where the fault is known; before the first TorchSharp call.</summary>
    public static void ApplyWhereKnownFaulty()
    {
        if (Note is not null || !OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } || Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is { Length: > 0 }) return;
        if (!IsKnownFaulty(File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Take(40).ToArray() : [])) return;
        if (File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtorch_cpu", StringComparison.Ordinal))) return;
        Environment.SetEnvironmentVariable("ONEDNN_MAX_CPU_ISA", "AVX2"); // for child processes (a sweep's searches)
        if (setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 1) != 0) return; // the native environment is what oneDNN reads
        Note = "oneDNN capped at its AVX2 kernels (ONEDNN_MAX_CPU_ISA=AVX2): on this CPU (AMD family 0x1A) the AVX-512 kernels of the oneDNN " +
               "in libtorch 2.10 compute wrong convolution gradients (docs/troubleshooting.md); set ONEDNN_MAX_CPU_ISA yourself to choose otherwise.";
    }

    /// <summary>Whether /proc/cpuinfo's first processor is an AMD of family 0x1A (26).</summary>
    internal static bool IsKnownFaulty(IReadOnlyList<string> cpuinfo)
    {
        string? Field(string name) => cpuinfo.FirstOrDefault(l => l.Split(':', 2)[0].Trim() == name)?.Split(':', 2)[1].Trim();
        return Field("vendor_id") == "AuthenticAMD" && Field("cpu family") == "26";
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);
}
