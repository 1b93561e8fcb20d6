using static TorchSharp.torch;

namespace IstaNas.Data;

/// <summary>
/// torchvision's <c>ColorJitter(brightness, contrast, saturation, hue)</c> on images in [0, 1], batched: per image, the
/// four adjustments in a random order, with factors drawn uniformly from [1 − brightness, 1 + brightness] (and so on) and
/// a hue shift from [−hue, hue] of the colour circle. Brightness scales the image; contrast blends it with its mean grey
/// level; saturation blends it with its grey version (weights 0.2989, 0.587, 0.114); hue rotates H in HSV. Results are
/// clamped to [0, 1]. Grey (1-channel) images get brightness and contrast only. Random draws per image, in batch order:
/// the order (a Fisher–Yates shuffle of the four), then the brightness, contrast, saturation and hue factors.
/// </summary>
internal sealed class ColorJitter : IBatchTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="brightness">Brightness range (≥ 0; 0.4 in the ImageNet protocol).</param>
    /// <param name="contrast">Contrast range (≥ 0).</param>
    /// <param name="saturation">Saturation range (≥ 0).</param>
    /// <param name="hue">Hue range, in [0, 0.5].</param>
    public ColorJitter(double brightness = 0.4, double contrast = 0.4, double saturation = 0.4, double hue = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(brightness);
        ArgumentOutOfRangeException.ThrowIfNegative(contrast);
        ArgumentOutOfRangeException.ThrowIfNegative(saturation);
        if (hue is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(hue), hue, "The hue range must be in [0, 0.5].");
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
        Hue = hue;
    }

    /// <summary>Brightness range.</summary>
    public double Brightness { get; }

    /// <summary>Contrast range.</summary>
    public double Contrast { get; }

    /// <summary>Saturation range.</summary>
    public double Saturation { get; }

    /// <summary>Hue range.</summary>
    public double Hue { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor images, DeterministicRandom random)
    {
        var (b, c, _, _) = BatchTransforms.Dims(images);
        ArgumentNullException.ThrowIfNull(random);
        using var scope = NewDisposeScope();
        var output = new Tensor[b];
        Span<int> order = stackalloc int[4];
        for (int i = 0; i < b; i++)
        {
            for (int k = 0; k < 4; k++) order[k] = k;
            random.Shuffle(order);
            double brightness = Factor(random, Brightness), contrast = Factor(random, Contrast), saturation = Factor(random, Saturation);
            double hue = random.NextDouble(-Hue, Hue);
            Tensor x = images[i];
            foreach (int step in order)
            {
                x = step switch
                {
                    0 => AdjustBrightness(x, brightness),
                    1 => AdjustContrast(x, contrast),
                    2 when c == 3 => AdjustSaturation(x, saturation),
                    3 when c == 3 => AdjustHue(x, hue),
                    _ => x,
                };
            }

            output[i] = x;
        }

        return stack(output).MoveToOuterDisposeScope();
    }

    private static double Factor(DeterministicRandom random, double range) => random.NextDouble(Math.Max(0, 1 - range), 1 + range);

    /// <summary>Brightness: the image scaled by <paramref name="factor"/>.</summary>
    public static Tensor AdjustBrightness(Tensor image, double factor) => (image * factor).clamp(0, 1);

    /// <summary>Contrast: blended with its mean grey level.</summary>
    public static Tensor AdjustContrast(Tensor image, double factor)
    {
        using var scope = NewDisposeScope();
        Tensor mean = Grey(image).mean();
        return ((image * factor) + (mean * (1 - factor))).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Saturation: blended with its grey version.</summary>
    public static Tensor AdjustSaturation(Tensor image, double factor)
    {
        using var scope = NewDisposeScope();
        return ((image * factor) + (Grey(image) * (1 - factor))).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Hue: H of HSV shifted by <paramref name="shift"/> (a fraction of the circle), modulo 1.</summary>
    public static Tensor AdjustHue(Tensor image, double shift)
    {
        using var scope = NewDisposeScope();
        Tensor hsv = RgbToHsv(image);
        Tensor h = (hsv[0] + shift).remainder(1.0);
        return HsvToRgb(stack([h, hsv[1], hsv[2]])).MoveToOuterDisposeScope();
    }

    /// <summary>The grey level [1, H, W] of an RGB image [3, H, W] (ITU-R 601-2 weights, as torchvision); a grey image is its own.</summary>
    private static Tensor Grey(Tensor image) =>
        image.shape[0] == 1 ? image : ((0.2989 * image[0]) + (0.587 * image[1]) + (0.114 * image[2])).unsqueeze(0);

    /// <summary>RGB [3, H, W] in [0, 1] to HSV [3, H, W], each in [0, 1] (torchvision's tensor conversion).</summary>
    internal static Tensor RgbToHsv(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        Tensor r = rgb[0], g = rgb[1], b = rgb[2];
        Tensor max = rgb.amax([0]), min = rgb.amin([0]);
        Tensor grey = max.eq(min);
        Tensor range = max - min;
        Tensor ones = ones_like(max);
        Tensor s = range / where(grey, ones, max);
        Tensor divisor = where(grey, ones, range);
        Tensor rc = (max - r) / divisor, gc = (max - g) / divisor, bc = (max - b) / divisor;
        Tensor isR = max.eq(r), isG = max.eq(g).logical_and(isR.logical_not());
        Tensor isB = isR.logical_or(isG).logical_not();
        Tensor h = (isR.to_type(rgb.dtype) * (bc - gc)) + (isG.to_type(rgb.dtype) * (2.0 + rc - bc)) + (isB.to_type(rgb.dtype) * (4.0 + gc - rc));
        h = ((h / 6.0) + 1.0).remainder(1.0);
        return stack([h, s, max]).MoveToOuterDisposeScope();
    }

    /// <summary>HSV [3, H, W] to RGB [3, H, W] (torchvision's tensor conversion).</summary>
    internal static Tensor HsvToRgb(Tensor hsv)
    {
        using var scope = NewDisposeScope();
        Tensor h = hsv[0], s = hsv[1], v = hsv[2];
        Tensor sector = (h * 6.0).floor();
        Tensor f = (h * 6.0) - sector;
        Tensor i = sector.to_type(ScalarType.Int64).remainder(6);
        Tensor p = (v * (1.0 - s)).clamp(0, 1);
        Tensor q = (v * (1.0 - (s * f))).clamp(0, 1);
        Tensor t = (v * (1.0 - (s * (1.0 - f)))).clamp(0, 1);
        // Per sector 0..5: (r, g, b) = (v,t,p), (q,v,p), (p,v,t), (p,q,v), (t,p,v), (v,p,q).
        Tensor mask = i.unsqueeze(0).eq(arange(6, device: hsv.device).view(6, 1, 1)).to_type(hsv.dtype);
        Tensor red = (stack([v, q, p, p, t, v]) * mask).sum(dim: 0);
        Tensor green = (stack([t, v, v, q, p, p]) * mask).sum(dim: 0);
        Tensor blue = (stack([p, p, t, v, v, q]) * mask).sum(dim: 0);
        return stack([red, green, blue]).MoveToOuterDisposeScope();
    }
}
