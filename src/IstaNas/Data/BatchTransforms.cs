using TorchSharp;

namespace IstaNas.Data;

/// <summary>Shape checks shared by the batch transforms.</summary>
internal static class BatchTransforms
{
    public static (int B, int C, int H, int W) Dims(torch.Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"Expected a batch of images [B, C, H, W], got shape [{string.Join(", ", images.shape)}].", nameof(images));
        }

        return ((int)images.shape[0], (int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
    }
}
