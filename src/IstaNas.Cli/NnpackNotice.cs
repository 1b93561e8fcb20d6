using System.Runtime.InteropServices;

namespace IstaNas.Cli;

/// <summary>
/// libtorch prints "Could not initialize NNPACK! Reason: Unsupported hardware." to stderr when a convolution asks whether
/// NNPACK (a fast convolution library for some shapes) is available, on CPUs or containers where it is not; libtorch 2.10
/// asks, and prints, at every convolution (seen on AMD Zen 5), so a prediction printed it once per image batch and
/// layer, even with --quiet. The CLI (an application: the library changes no process-wide state) asks once at start-up,
/// with the native stderr pointed at /dev/null for that call only, and when the answer is no, tells libtorch not to
/// consider NNPACK again (<c>torch.backends.nnpack</c> off: it could not be used anyway, so nothing else changes); the
/// run's log says once what it meant. Linux only; elsewhere, or when a symbol is missing (another libtorch), nothing is done.
/// </summary>
internal static class NnpackNotice
{
    /// <summary>What the run's log says when NNPACK is not available (null when it is, or when it was not asked).</summary>
    public static string? Note { get; private set; }

    /// <summary>Asks libtorch once, silently, whether NNPACK is available (TorchSharp must be loaded).</summary>
    public static void CheckSilently()
    {
        if (!OperatingSystem.IsLinux() || Note is not null) return;
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out IntPtr torch)) return;
        if (!NativeLibrary.TryGetExport(torch, "_ZN2at4_ops17_nnpack_available4callEv", out IntPtr available)) return;
        if (CallSilently(() => Call(available)) is not bool ok) return;
        Explain(ok);
        if (!ok && NativeLibrary.TryGetExport(torch, "_ZN2at13globalContextEv", out IntPtr context)
                && NativeLibrary.TryGetExport(torch, "_ZN2at7Context20setUserEnabledNNPACKEb", out IntPtr setEnabled))
            Marshal.GetDelegateForFunctionPointer<SetFlag>(setEnabled)(Marshal.GetDelegateForFunctionPointer<ContextFunction>(context)(), 0);
    }

    /// <summary>Sets <see cref="Note"/> from libtorch's answer: the explanation when NNPACK is not available, once.</summary>
    /// <param name="available">What libtorch answered.</param>
    internal static void Explain(bool available)
    {
        if (!available && Note is null)
            Note = "libtorch's NNPACK (a fast convolution library for some shapes) is not available on this CPU or container " +
                   "(libtorch would print \"Could not initialize NNPACK! Reason: Unsupported hardware.\" at every convolution); the CLI told libtorch " +
                   "not to consider it, so convolutions use libtorch's other CPU kernels, with the same results.";
    }

    /// <summary>
    /// Runs a native call with the process's stderr (file descriptor 2) pointed at /dev/null, restored afterwards even when
    /// the call throws. Null when stderr could not be redirected (the call was not made).
    /// </summary>
    /// <param name="call">The call; whatever it writes to stderr is dropped.</param>
    internal static bool? CallSilently(Func<bool> call)
    {
        int saved = Dup(2), devNull = Open("/dev/null", 1 /* O_WRONLY */);
        if (saved < 0 || devNull < 0 || Dup2(devNull, 2) < 0)
        {
            if (devNull >= 0) Close(devNull);
            if (saved >= 0) Close(saved);
            return null;
        }

        try
        {
            return call();
        }
        finally
        {
            Dup2(saved, 2);
            Close(saved);
            Close(devNull);
        }
    }

    private static bool Call(IntPtr function) => Marshal.GetDelegateForFunctionPointer<BoolFunction>(function)() != 0;

    [DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2")]
    private static extern int Dup2(int fd, int fd2);

    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>A C++ function returning bool, no arguments.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte BoolFunction();

    /// <summary>at::globalContext(): the process's ATen context.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ContextFunction();

    /// <summary>A member of at::Context taking a bool (this, flag).</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, byte flag);
}
