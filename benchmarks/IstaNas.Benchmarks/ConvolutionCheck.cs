using System.Globalization;
using IstaNas.Runtime;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>conv-check</c>: the error of LibTorch's float32 convolution gradients against float64 on this CPU
/// (<see cref="TorchConvolutions.CheckGradients"/>' measurement), with oneDNN's convolutions on and then off, and the CPU
/// it ran on. The figures of docs/troubleshooting.md ("Wrong convolution gradients on some AVX-512 CPUs").
/// </summary>
internal static class ConvolutionCheck
{
    public static void Run()
    {
        Console.WriteLine($"CPU: {Cpu()}; {Environment.ProcessorCount} cores; {TorchSharp.torch.get_num_threads()} intra-op threads");
        foreach (bool enabled in new[] { true, false })
        {
            TorchConvolutions.SetOneDnnEnabled(enabled);
            double error = TorchConvolutions.GradientError();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"oneDNN {(enabled ? "on " : "off")}: largest gradient error {error:G3} of the largest float64 gradient: {(TorchConvolutions.CheckGradients() ? "right" : "WRONG")}"));
        }
    }

    private static string Cpu()
    {
        if (!File.Exists("/proc/cpuinfo")) return "unknown";
        string[] lines = File.ReadAllLines("/proc/cpuinfo");
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        bool avx512 = lines.Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Contains(" avx512f", StringComparison.Ordinal));
        return $"{Field("model name")}, family {Field("cpu family")} model {Field("model\t")}{(avx512 ? ", AVX-512" : "")}";
    }
}
