using TorchSharp;

namespace IstaNas.Data;

/// <summary>Per-channel normalisation of image batches.</summary>
internal static class Normalization
{
    /// <summary>
    /// Returns (<paramref name="images"/> − mean[c]) / std[c] per channel. The input is expected in [0, 1]
    /// (pixel/255). The input is not disposed; the caller owns the result.
    /// </summary>
    /// <param name="images">Float batch [B, C, H, W].</param>
    /// <param name="mean">Per-channel mean (length C).</param>
    /// <param name="std">Per-channel standard deviation (length C, positive).</param>
    /// <returns>A new normalised tensor.</returns>
    public static torch.Tensor Normalize(torch.Tensor images, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var (_, c, _, _) = BatchTransforms.Dims(images);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != c || std.Count != c)
        {
            throw new ArgumentException($"Mean and std need {c} entries (one per channel), got {mean.Count} and {std.Count}.");
        }

        using var scope = torch.NewDisposeScope();
        var m = torch.tensor(mean.ToArray(), device: images.device).view(1, c, 1, 1).to_type(images.dtype);
        var s = torch.tensor(std.ToArray(), device: images.device).view(1, c, 1, 1).to_type(images.dtype);
        return ((images - m) / s).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Converts a uint8 batch [B, C, H, W] to float32 in [0, 1] and normalises it. The caller owns the result.
    /// </summary>
    /// <param name="bytes">uint8 batch.</param>
    /// <param name="mean">Per-channel mean of pixel/255.</param>
    /// <param name="std">Per-channel standard deviation of pixel/255.</param>
    /// <returns>A new float32 tensor.</returns>
    public static torch.Tensor FromBytes(torch.Tensor bytes, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        using var unit = ToUnitFloat(bytes);
        return Normalize(unit, mean, std);
    }

    /// <summary>Converts a uint8 tensor to float32 divided by 255. The caller owns the result.</summary>
    /// <param name="bytes">uint8 tensor.</param>
    /// <returns>A new float32 tensor in [0, 1].</returns>
    public static torch.Tensor ToUnitFloat(torch.Tensor bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var f = bytes.to_type(torch.float32);
        return f.div(255f);
    }
}
