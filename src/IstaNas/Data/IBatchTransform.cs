using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// A random (or deterministic) transformation of a whole batch of images at once.
/// </summary>
internal interface IBatchTransform
{
    /// <summary>
    /// Transforms <paramref name="images"/>, a float tensor [B, C, H, W], drawing any randomness from
    /// <paramref name="random"/> in a fixed order so that equal generator states give equal results.
    /// Returns a new tensor on the same device with the same batch size and channels (crops may change the height and
    /// width); the input is neither modified nor disposed,
    /// and the caller owns (and must dispose) the result.
    /// </summary>
    /// <param name="images">Batch of images, float32 [B, C, H, W].</param>
    /// <param name="random">Source of randomness.</param>
    /// <returns>The transformed batch.</returns>
    torch.Tensor Apply(torch.Tensor images, DeterministicRandom random);
}
