using IstaNas.Validation;

namespace IstaNas.Data;

/// <summary>
/// Deterministic synthetic image classification data that a small convolutional network learns well above chance in a
/// few CPU epochs. Each class has a distinct pattern (0 filled disc, 1 square, 2 cross, 3 triangle, 4 ring, 5 diamond,
/// 6 horizontal stripes, 7 vertical stripes, 8 diagonal stripes, 9 checkerboard; classes beyond 10 reuse the patterns
/// with a different hue), drawn in a class-specific colour tint (colour images only) over a random dark background,
/// with random position, scale, small rotation, stripe phase, colour jitter and Gaussian pixel noise.
/// Image <c>i</c> has label <c>i % ClassCount</c>, so classes are balanced to within one image; each image depends only
/// on (seed, i), so the output is identical for a given seed regardless of thread scheduling.
/// </summary>
internal static class Synthetic
{
    private const int PatternCount = 10;

    /// <summary>Standard normal quantiles at (i + 0.5) / 65536: indexing with 16 uniform bits gives a normal sample.</summary>
    private static readonly float[] NormalTable = Enumerable.Range(0, 1 << 16)
        .Select(i => (float)MathNet.Numerics.Distributions.Normal.InvCDF(0.0, 1.0, (i + 0.5) / 65536.0))
        .ToArray();

    /// <summary>Generates <paramref name="count"/> images.</summary>
    /// <param name="count">Number of images (at least 1).</param>
    /// <param name="seed">Seed; the same seed gives byte-identical data.</param>
    /// <param name="options">Classes, size, channels, noise; null for 10 classes of 32×32×3.</param>
    /// <returns>The data set, with mean/std computed from its pixels.</returns>
    public static ImageDataset Create(int count, int seed, SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        OptionsValidation.ValidateArgument(options, (f, _) => new ArgumentOutOfRangeException(f.Argument, f.Value, f.Message));
        int size = options.ImageSize;
        int channels = options.Channels;
        int imageBytes = channels * size * size;
        if ((long)count * imageBytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The requested data set exceeds the maximum in-memory array size.");
        }

        var pixels = new byte[(long)count * imageBytes];
        var labels = new int[count];
        Parallel.For(0, count, i =>
        {
            int label = i % options.ClassCount;
            labels[i] = label;
            Render(pixels.AsSpan(i * imageBytes, imageBytes), label, options, DeterministicRandom.FromKeys(seed, i));
        });

        var (mean, std) = ImageDataset.ComputeChannelStatistics(pixels, count, channels, size * size);
        return new InMemoryImageDataset(options.Name ?? $"synthetic-{count}-{seed}", pixels, labels, channels, size, size,
            options.ClassCount, mean, std, null);
    }

    private static void Render(Span<byte> image, int label, SyntheticOptions options, DeterministicRandom rng)
    {
        int size = options.ImageSize;
        int channels = options.Channels;
        int pattern = label % PatternCount;

        // Foreground colour: class hue (golden-ratio spacing), saturated and bright, with per-image jitter.
        Span<double> fg = stackalloc double[3];
        Span<double> bg = stackalloc double[3];
        if (channels == 3)
        {
            double hue = label * 0.6180339887498949 % 1.0;
            HsvToRgb(hue, 0.85, 0.95, fg);
            for (int c = 0; c < 3; c++)
            {
                fg[c] = Math.Clamp(fg[c] + rng.NextDouble(-0.08, 0.08), 0.0, 1.0);
                bg[c] = rng.NextDouble(0.0, 0.3);
            }
        }
        else
        {
            fg[0] = rng.NextDouble(0.65, 1.0);
            bg[0] = rng.NextDouble(0.0, 0.3);
        }

        double cx = rng.NextDouble(0.35, 0.65) * size;
        double cy = rng.NextDouble(0.35, 0.65) * size;
        double radius = rng.NextDouble(0.2, 0.32) * size;
        double angle = rng.NextDouble(-0.25, 0.25);
        double phase = rng.NextDouble(0.0, 2 * Math.PI);
        double frequency = rng.NextDouble(1.6, 2.2); // stripe cycles per radius
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double omega = 2 * Math.PI * frequency;
        double noise = options.NoiseStd;
        int plane = size * size;

        ulong bits = 0;
        int bitsLeft = 0;
        var table = NormalTable;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double dx = (x + 0.5 - cx) / radius, dy = (y + 0.5 - cy) / radius;
                double u = cos * dx + sin * dy, v = -sin * dx + cos * dy;
                bool inside = Inside(pattern, u, v, omega, phase);
                for (int c = 0; c < channels; c++)
                {
                    // Four 16-bit normal quantiles per 64 random bits.
                    if (bitsLeft == 0)
                    {
                        bits = rng.NextUInt64();
                        bitsLeft = 4;
                    }

                    double gaussian = table[(int)(bits & 0xFFFF)];
                    bits >>= 16;
                    bitsLeft--;
                    double value = (inside ? fg[c] : bg[c]) + noise * gaussian;
                    image[c * plane + y * size + x] = (byte)Math.Clamp((int)(value * 255.0 + 0.5), 0, 255);
                }
            }
        }
    }

    private static bool Inside(int pattern, double u, double v, double omega, double phase)
    {
        double r2 = u * u + v * v;
        double au = Math.Abs(u), av = Math.Abs(v);
        return pattern switch
        {
            0 => r2 <= 1.0,
            1 => au <= 0.8 && av <= 0.8,
            2 => (au <= 0.3 && av <= 1.0) || (av <= 0.3 && au <= 1.0),
            3 => v >= -0.85 && v <= 0.85 && au <= (v + 0.85) / 1.7,
            4 => r2 <= 1.0 && r2 >= 0.3,
            5 => au + av <= 1.0,
            6 => r2 <= 1.44 && Math.Sin(omega * v + phase) > 0,
            7 => r2 <= 1.44 && Math.Sin(omega * u + phase) > 0,
            8 => r2 <= 1.44 && Math.Sin(omega * (u + v) * 0.7071067811865476 + phase) > 0,
            _ => r2 <= 1.44 && Math.Sin(omega * u + phase) * Math.Sin(omega * v + phase) > 0,
        };
    }

    private static void HsvToRgb(double h, double s, double v, Span<double> rgb)
    {
        double hh = h * 6.0;
        int sector = (int)Math.Floor(hh) % 6;
        double f = hh - Math.Floor(hh);
        double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        (rgb[0], rgb[1], rgb[2]) = sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }
}
