using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Training;

/// <summary>
/// Checks, when a run is set up, that LibTorch can train on a device: the CPU always; CUDA when this process has it; any
/// other device only if a small computation on it can be copied back. A device such as <c>meta</c> (shapes without data)
/// would otherwise be accepted and fail mid-run with a LibTorch message.
/// </summary>
internal static class TrainingDevice
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="parameter"/> when the device cannot train.</summary>
    public static void Check(Device device, string parameter)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type == DeviceType.CPU) return;
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new ArgumentException(
                $"Device '{device}' needs CUDA, which this process does not have: reference TorchSharp-cuda-linux or -windows (build with -p:TorchBackend=cuda-linux) on a machine with an NVIDIA GPU.",
                parameter);
        float result;
        try
        {
            using var scope = NewDisposeScope();
            result = ones(2, device: device).mul(2).sum().cpu().item<float>();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"Device '{device}' cannot train: LibTorch cannot compute on it and copy the result back ({ex.Message.Split('\n', 2)[0].Trim()}). Use cpu, or cuda where CUDA is available.",
                parameter, ex);
        }

        if (result != 4f)
            throw new ArgumentException($"Device '{device}' cannot train: 1 + 1 computed on it came back as {result / 2}.", parameter);
    }
}
