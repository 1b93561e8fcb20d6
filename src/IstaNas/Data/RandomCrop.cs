using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// Random crop with zero padding, batched: each image is padded by <see cref="Padding"/> zeros on every side and a
/// window of the original size is cut out at an independent random offset (uniform over all 2·padding+1 offsets per
/// axis). With padding 4 on 32×32 images this is the standard CIFAR "RandomCrop(32, padding=4)".
/// Random draws per image, in batch order: row offset, then column offset.
/// </summary>
internal sealed class RandomCrop : IBatchTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="padding">Zero padding on each side (at least 0).</param>
    public RandomCrop(int padding = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Padding = padding;
    }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <inheritdoc />
    public torch.Tensor Apply(torch.Tensor images, DeterministicRandom random)
    {
        var (b, c, h, w) = BatchTransforms.Dims(images);
        ArgumentNullException.ThrowIfNull(random);
        var rowOffsets = new long[b];
        var colOffsets = new long[b];
        for (int i = 0; i < b; i++)
        {
            rowOffsets[i] = random.NextInt(2 * Padding + 1);
            colOffsets[i] = random.NextInt(2 * Padding + 1);
        }

        return Crop(images, rowOffsets, colOffsets, Padding);
    }

    /// <summary>
    /// Crops each image of the zero-padded batch at the given offsets (offsets index the padded image, so offset
    /// <c>padding</c> returns the original image).
    /// </summary>
    /// <param name="images">Batch [B, C, H, W].</param>
    /// <param name="rowOffsets">Per-image row offset in [0, 2·padding].</param>
    /// <param name="colOffsets">Per-image column offset in [0, 2·padding].</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <returns>A new tensor [B, C, H, W]; the caller owns it.</returns>
    public static torch.Tensor Crop(torch.Tensor images, long[] rowOffsets, long[] colOffsets, int padding)
    {
        var (b, c, h, w) = BatchTransforms.Dims(images);
        if (rowOffsets.Length != b || colOffsets.Length != b)
        {
            throw new ArgumentException($"Need one row and column offset per image ({b}).");
        }

        if (rowOffsets.Concat(colOffsets).Any(o => o < 0 || o > 2 * padding))
        {
            throw new ArgumentOutOfRangeException(nameof(rowOffsets), $"Offsets must be in [0, {2 * padding}].");
        }

        using var scope = torch.NewDisposeScope();
        var device = images.device;
        var padded = torch.nn.functional.pad(images, [padding, padding, padding, padding]);
        // rows[b, i] = rowOffset[b] + i; gather rows then columns of the padded batch.
        var rows = torch.tensor(rowOffsets, device: device).view(b, 1) + torch.arange(h, device: device).view(1, h);
        var cols = torch.tensor(colOffsets, device: device).view(b, 1) + torch.arange(w, device: device).view(1, w);
        var rowIndex = rows.view(b, 1, h, 1).expand(b, c, h, w + 2 * padding);
        var byRows = padded.gather(2, rowIndex);
        var colIndex = cols.view(b, 1, 1, w).expand(b, c, h, w);
        return byRows.gather(3, colIndex).MoveToOuterDisposeScope();
    }
}
