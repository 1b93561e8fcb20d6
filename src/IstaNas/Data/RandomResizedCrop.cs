using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// torchvision's <c>RandomResizedCrop(size)</c>, batched: per image, a window of a random share of the area
/// (<see cref="MinScale"/> to <see cref="MaxScale"/>) and a random aspect ratio (log-uniform in
/// <see cref="MinRatio"/>..<see cref="MaxRatio"/>) is cut out and resized to <see cref="Size"/> x <see cref="Size"/>
/// with an antialiased bilinear filter (as Pillow's, which torchvision used). Up to ten draws look for a window that
/// fits; then the central window of the nearest allowed ratio is taken, as torchvision does. The ImageNet training
/// augmentation of DARTS and ISTA-NAS. Random draws per image, in batch order: for each attempt the scale, the log
/// ratio, then (once a window fits) its top and left offsets.
/// </summary>
internal sealed class RandomResizedCrop : IBatchTransform
{
    private const int Attempts = 10;

    /// <summary>Creates the transform.</summary>
    /// <param name="size">Side of the square output (at least 1).</param>
    /// <param name="minScale">Smallest share of the image's area (torchvision: 0.08).</param>
    /// <param name="maxScale">Largest share of the image's area (1).</param>
    /// <param name="minRatio">Smallest width/height ratio (3/4).</param>
    /// <param name="maxRatio">Largest width/height ratio (4/3).</param>
    public RandomResizedCrop(int size, double minScale = 0.08, double maxScale = 1.0, double minRatio = 3.0 / 4.0, double maxRatio = 4.0 / 3.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), $"The scale range must satisfy 0 < min <= max <= 1, got [{minScale}, {maxScale}].");
        if (!(minRatio > 0 && minRatio <= maxRatio))
            throw new ArgumentOutOfRangeException(nameof(minRatio), $"The ratio range must satisfy 0 < min <= max, got [{minRatio}, {maxRatio}].");
        Size = size;
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
    }

    /// <summary>Side of the output.</summary>
    public int Size { get; }

    /// <summary>Smallest share of the area.</summary>
    public double MinScale { get; }

    /// <summary>Largest share of the area.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest width/height ratio.</summary>
    public double MinRatio { get; }

    /// <summary>Largest width/height ratio.</summary>
    public double MaxRatio { get; }

    /// <inheritdoc />
    public torch.Tensor Apply(torch.Tensor images, DeterministicRandom random)
    {
        var (b, _, h, w) = BatchTransforms.Dims(images);
        ArgumentNullException.ThrowIfNull(random);
        using var scope = torch.NewDisposeScope();
        var crops = new torch.Tensor[b];
        for (int i = 0; i < b; i++)
        {
            var (top, left, height, width) = Window(h, w, random);
            crops[i] = ResizedCrop(images.narrow(0, i, 1), top, left, height, width, Size);
        }

        return torch.cat(crops, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The window of one image: (top, left, height, width).</summary>
    public (int Top, int Left, int Height, int Width) Window(int height, int width, DeterministicRandom random)
    {
        double area = (double)height * width;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double target = area * random.NextDouble(MinScale, MaxScale);
            double ratio = Math.Exp(random.NextDouble(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * ratio));
            int h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (random.NextInt(height - h + 1), random.NextInt(width - w + 1), h, w);
        }

        // Fallback: the central window, its ratio clamped into the allowed range.
        double imageRatio = (double)width / height;
        int cw = width, ch = height;
        if (imageRatio < MinRatio) ch = (int)Math.Round(cw / MinRatio);
        else if (imageRatio > MaxRatio) cw = (int)Math.Round(ch * MaxRatio);
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <summary>Cuts the window out of a batch [N, C, H, W] and resizes it to size x size (antialiased bilinear); the caller owns the result.</summary>
    public static torch.Tensor ResizedCrop(torch.Tensor images, int top, int left, int height, int width, int size)
    {
        using var scope = torch.NewDisposeScope();
        var window = images.narrow(2, top, height).narrow(3, left, width);
        var resized = height == size && width == size
            ? window.clone()
            : torch.nn.functional.interpolate(window, [size, size], mode: torch.InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return resized.clamp(0, 1).MoveToOuterDisposeScope();
    }
}
