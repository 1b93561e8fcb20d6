using System.Runtime.InteropServices;

namespace IstaNas.Runtime;

/// <summary>
/// Explicit, opt-in control of LibTorch's CPU threads for the whole process. IstaNas changes none of these settings by
/// itself; docs/benchmarks.md ("Threads and OpenMP") measures the choices. The wait policy is read once, when LibTorch's
/// OpenMP runtime loads (at the first TorchSharp call), so <see cref="SetOpenMpWaitPolicy"/> must come first; setting the
/// environment variables before the process starts does the same.
/// </summary>
public static class TorchThreads
{
    /// <summary>Sets <c>OMP_WAIT_POLICY</c> (and optionally <c>GOMP_SPINCOUNT</c>) of this process for LibTorch's OpenMP runtime.</summary>
    /// <param name="policy">The policy; <see cref="OpenMpWaitPolicy.Default"/> leaves the variable unchanged.</param>
    /// <param name="spinCount">GNU OpenMP's spin count before a waiting thread sleeps (null: unchanged).</param>
    /// <exception cref="InvalidOperationException">LibTorch's OpenMP runtime is already loaded: the setting would have no effect.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative spin count, or an unknown policy.</exception>
    public static void SetOpenMpWaitPolicy(OpenMpWaitPolicy policy, long? spinCount = null)
    {
        if (!Enum.IsDefined(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown wait policy.");
        if (spinCount < 0) throw new ArgumentOutOfRangeException(nameof(spinCount), spinCount, "The spin count must be 0 or more.");
        if (policy == OpenMpWaitPolicy.Default && spinCount is null) return;
        if (IsOpenMpLoaded())
            throw new InvalidOperationException(
                "LibTorch's OpenMP runtime is already loaded, so a wait policy set now would have no effect. Call TorchThreads.SetOpenMpWaitPolicy " +
                "before the first TorchSharp call, or set OMP_WAIT_POLICY / GOMP_SPINCOUNT in the environment before the process starts.");
        if (policy != OpenMpWaitPolicy.Default) SetNative("OMP_WAIT_POLICY", policy == OpenMpWaitPolicy.Active ? "ACTIVE" : "PASSIVE");
        if (spinCount is long count) SetNative("GOMP_SPINCOUNT", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Sets the number of intra-op threads of LibTorch (<c>torch.set_num_threads</c>).</summary>
    /// <param name="threads">At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 1.</exception>
    public static void SetIntraOpThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchSharp.torch.set_num_threads(threads);
    }

    /// <summary>Whether an OpenMP runtime (GNU <c>libgomp</c> or LLVM/Intel <c>libomp</c>/<c>libiomp</c>) is mapped into this process (Linux); false elsewhere.</summary>
    public static bool IsOpenMpLoaded()
    {
        const string maps = "/proc/self/maps";
        if (!OperatingSystem.IsLinux() || !File.Exists(maps)) return false;
        return File.ReadLines(maps).Any(l => l.Contains("libgomp", StringComparison.Ordinal) || l.Contains("libomp", StringComparison.Ordinal)
                                             || l.Contains("libiomp", StringComparison.Ordinal));
    }

    private static void SetNative(string name, string value)
    {
        // The native runtime reads the C environment; on Unix .NET's own environment block does not reach it.
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) _ = setenv(name, value, 1);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);
}
