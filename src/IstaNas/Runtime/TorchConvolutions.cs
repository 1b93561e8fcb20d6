using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Runtime;

/// <summary>
/// LibTorch's oneDNN (MKL-DNN) convolutions on the CPU: a check that the gradients they compute on this CPU are right,
/// whether they are in use, and an explicit, opt-in switch for the whole process. IstaNas changes none of this by itself.
/// <para>
/// Why: the oneDNN 3.7.1 inside libtorch 2.10 computes wrong input gradients (garbage values, sometimes NaN) for a
/// dense convolution whose channel count is not a multiple of 16 on some AVX-512 CPUs (seen on AMD EPYC of family
/// 0x1A, Zen 5); the forward pass is right, so training learns from wrong gradients without any error. Every training
/// run on the CPU (the searches, the evaluation trainer, <c>ZeroCostProxies.JacobCov</c>) runs <see cref="CheckGradients"/>
/// first (once per process and setting, a few milliseconds) and, when it fails, stops before the first step with an
/// <see cref="InvalidOperationException"/> that says what to do: start the process with <c>ONEDNN_MAX_CPU_ISA=AVX2</c>
/// (oneDNN's AVX2 kernels are right and about as fast), or call <see cref="SetOneDnnEnabled"/>(false) before training
/// (LibTorch's own convolution kernels: right, and up to 2.7x slower per search step). The <c>istanas</c> CLI does
/// this by itself and says so. docs/troubleshooting.md has the measurements.
/// </para>
/// </summary>
public static class TorchConvolutions
{
    /// <summary>Largest error, relative to the float64 reference's largest gradient, that counts as right (float32 rounding is ~1e-6).</summary>
    internal const double Tolerance = 1e-3;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<bool, double> Measured = [];
    private static Func<double> _measure = MeasureGradientError;

    /// <summary>
    /// Whether LibTorch may use oneDNN for convolutions in this process (<c>torch.backends.mkldnn.enabled</c>; true unless
    /// <see cref="SetOneDnnEnabled"/> turned it off).
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">This LibTorch build does not export the setting (set <c>ONEDNN_MAX_CPU_ISA</c> instead).</exception>
    public static bool OneDnnEnabled => Native.Enabled();

    /// <summary>
    /// Turns LibTorch's oneDNN convolutions off (or on again) for the whole process, as <c>torch.backends.mkldnn.enabled</c>
    /// does in PyTorch; takes effect at the next convolution. Off, LibTorch's own kernels run: right on every CPU, and
    /// slower (a DARTS search step 2.7x at the paper's proxy size: docs/benchmarks.md, "oneDNN off").
    /// </summary>
    /// <param name="enabled">False to turn oneDNN convolutions off.</param>
    /// <exception cref="PlatformNotSupportedException">This LibTorch build does not export the setting (set <c>ONEDNN_MAX_CPU_ISA</c> instead).</exception>
    public static void SetOneDnnEnabled(bool enabled) => Native.SetEnabled(enabled);

    /// <summary>
    /// Whether the input and weight gradients of float32 convolutions on the CPU (a 3 x 3 <c>conv2d</c> and a width-7
    /// <c>conv1d</c> with 8 channels) agree with a float64 reference, under the current <see cref="OneDnnEnabled"/>
    /// setting. Measured once per process and setting; uses no random generator and leaves no state behind.
    /// </summary>
    /// <returns>True when the gradients are right.</returns>
    public static bool CheckGradients() => GradientError() <= Tolerance;

    /// <summary>The measured error of <see cref="CheckGradients"/> (relative to the reference's largest gradient; infinite for NaN).</summary>
    internal static double GradientError()
    {
        bool enabled = EnabledOrDefault();
        lock (Gate)
        {
            if (!Measured.TryGetValue(enabled, out double error))
            {
                error = _measure();
                Measured[enabled] = error;
            }

            return error;
        }
    }

    /// <summary>
    /// Throws when training on <paramref name="device"/> would learn from wrong convolution gradients
    /// (<see cref="CheckGradients"/> fails); nothing for other devices.
    /// </summary>
    /// <exception cref="InvalidOperationException">The gradients are wrong; the message says what to do.</exception>
    internal static void EnsureRightGradients(Device device)
    {
        if (device.type != DeviceType.CPU) return;
        double error = GradientError();
        if (error <= Tolerance) return;
        string measured = double.IsFinite(error)
            ? string.Create(CultureInfo.InvariantCulture, $"{error:G3} relative to a float64 reference")
            : "NaN or infinite values";
        bool? oneDnn = null;
        try
        {
            oneDnn = Native.Enabled();
        }
        catch (PlatformNotSupportedException)
        {
        }

        throw new InvalidOperationException(oneDnn == false
            ? $"LibTorch computes wrong convolution gradients on this CPU even with oneDNN off ({measured}); training would learn from them. " +
              "Run on another machine or device."
            : $"LibTorch's oneDNN convolutions compute wrong gradients on this CPU ({measured}): a fault of the oneDNN inside libtorch 2.10 " +
              "on some AVX-512 CPUs (e.g. AMD Zen 5), for convolutions whose channel count is not a multiple of 16. Training would learn " +
              "from them without an error. Start the process with the environment variable ONEDNN_MAX_CPU_ISA=AVX2 (oneDNN's AVX2 " +
              "kernels are right and about as fast), or call IstaNas.Runtime.TorchConvolutions.SetOneDnnEnabled(false) once before " +
              "training (LibTorch's own kernels: right, and up to 2.7x slower per search step). The istanas CLI does this by itself.");
    }

    /// <summary>Replaces the measurement (tests: a faulty CPU on any machine) and forgets what was measured; null restores the real one.</summary>
    internal static void SetMeasurementForTests(Func<double>? measure)
    {
        lock (Gate)
        {
            _measure = measure ?? MeasureGradientError;
            Measured.Clear();
        }
    }

    private static bool EnabledOrDefault()
    {
        try
        {
            return Native.Enabled();
        }
        catch (PlatformNotSupportedException)
        {
            return true; // the setting cannot be read, so it was not changed: LibTorch's default
        }
    }

    /// <summary>The worst relative gradient error of the probe convolutions, float32 against float64.</summary>
    private static double MeasureGradientError()
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        double conv2d = ProbeError([4, 8, 8, 8], [8, 8, 3, 3], (x, w) => nn.functional.conv2d(x, w, padding: [1, 1]));
        double conv1d = ProbeError([4, 8, 16], [8, 8, 7], (x, w) => nn.functional.conv1d(x, w, padding: 3));
        return Math.Max(conv2d, conv1d);
    }

    private static double ProbeError(long[] inputShape, long[] weightShape, Func<Tensor, Tensor, Tensor> convolution)
    {
        Tensor x = Values(inputShape, 0.37), w = Values(weightShape, 0.91);
        var (inputGrad, weightGrad) = Gradients(x, w, convolution);
        var (inputReference, weightReference) = Gradients(x.to(float64), w.to(float64), convolution);
        return Math.Max(RelativeError(inputGrad, inputReference), RelativeError(weightGrad, weightReference));
    }

    /// <summary>d(sum(conv(x, w) * g))/dx and /dw for a fixed g: the gradients a training step computes.</summary>
    private static (Tensor Input, Tensor Weight) Gradients(Tensor x, Tensor w, Func<Tensor, Tensor, Tensor> convolution)
    {
        Tensor input = x.detach().clone().requires_grad_(true), weight = w.detach().clone().requires_grad_(true);
        Tensor output = convolution(input, weight);
        Tensor upstream = Values(output.shape, 0.53).to(output.dtype);
        (output * upstream).sum().backward();
        return (input.grad!.detach().to(float64), weight.grad!.detach().to(float64));
    }

    private static double RelativeError(Tensor actual, Tensor reference)
    {
        double error = (actual - reference).abs().max().item<double>();
        double scale = Math.Max(1.0, reference.abs().max().item<double>());
        return double.IsFinite(error) ? error / scale : double.PositiveInfinity;
    }

    /// <summary>Deterministic values in [-1, 1] (no random generator is drawn from).</summary>
    private static Tensor Values(long[] shape, double frequency)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)Math.Sin(frequency * i + 0.1);
        return tensor(values, shape);
    }

    /// <summary>at::globalContext().userEnabledMkldnn / setUserEnabledMkldnn, exported by LibTorch's CPU library.</summary>
    private static class Native
    {
        private const string Library = "libtorch_cpu";
        private const string WindowsLibrary = "torch_cpu";

        public static bool Enabled() => Call(() => OperatingSystem.IsWindows() ? GetWindows(ContextWindows()) : Get(Context()));

        public static void SetEnabled(bool enabled) => Call(() =>
        {
            if (OperatingSystem.IsWindows()) SetWindows(ContextWindows(), enabled);
            else Set(Context(), enabled);
            return true;
        });

        private static T Call<T>(Func<T> call)
        {
            _ = torch.get_num_threads(); // LibTorch is loaded
            try
            {
                return call();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new PlatformNotSupportedException(
                    "This LibTorch build does not export the oneDNN setting (at::Context::setUserEnabledMkldnn). Start the process with the " +
                    "environment variable ONEDNN_MAX_CPU_ISA=AVX2 instead.", e);
            }
        }

        [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
        private static extern IntPtr Context();

        [DllImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        private static extern bool Get(IntPtr context);

        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        private static extern void Set(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport(WindowsLibrary, EntryPoint = "?globalContext@at@@YAAEAVContext@1@XZ")]
        private static extern IntPtr ContextWindows();

        [DllImport(WindowsLibrary, EntryPoint = "?userEnabledMkldnn@Context@at@@QEBA_NXZ")]
        [return: MarshalAs(UnmanagedType.U1)]
        private static extern bool GetWindows(IntPtr context);

        [DllImport(WindowsLibrary, EntryPoint = "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z")]
        private static extern void SetWindows(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }
}
