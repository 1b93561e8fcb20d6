using IstaNas.Data;
using Microsoft.Extensions.Logging;
using StbImageWriteSharp;

namespace IstaNas.Tests.Data;

/// <summary>Writes small PNG, JPEG and BMP files and image folders with known, deterministic pixels.</summary>
internal static class TestImages
{
    /// <summary>Distinct saturated colours, one per class of the generated folders.</summary>
    public static readonly (byte R, byte G, byte B)[] ClassColours = [(220, 30, 30), (30, 200, 40), (40, 60, 230), (230, 210, 20)];

    /// <summary>Interleaved RGB of one colour.</summary>
    public static byte[] Solid(int width, int height, (byte R, byte G, byte B) colour)
    {
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = colour;
        }

        return rgb;
    }

    /// <summary>
    /// Interleaved RGB: the class colour, a little seeded noise per pixel, and a bright square at an image-dependent
    /// place, so that images differ and a network can still tell the classes apart by colour.
    /// </summary>
    public static byte[] Textured(int width, int height, int classIndex, int image)
    {
        var (r, g, b) = ClassColours[classIndex % ClassColours.Length];
        var rng = DeterministicRandom.FromKeys(classIndex, image);
        var rgb = new byte[width * height * 3];
        int sx = rng.NextInt(Math.Max(1, width / 2)), sy = rng.NextInt(Math.Max(1, height / 2));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bool square = x >= sx && x < sx + width / 4 && y >= sy && y < sy + height / 4;
                int o = (y * width + x) * 3;
                int noise = rng.NextInt(-20, 21);
                rgb[o] = Clamp((square ? 255 : r) + noise);
                rgb[o + 1] = Clamp((square ? 255 : g) + noise);
                rgb[o + 2] = Clamp((square ? 255 : b) + noise);
            }
        }

        return rgb;
    }

    /// <summary>
    /// Interleaved RGB of a shape a network can learn to tell apart whatever its colour: <c>"disc"</c>, a filled circle,
    /// or <c>"bar"</c>, a long thin rectangle lying or standing; at a seeded place, size and colour, on a noisy dark
    /// background.
    /// </summary>
    public static byte[] Shape(string shape, int size, int image)
    {
        bool disc = shape switch
        {
            "disc" => true,
            "bar" => false,
            _ => throw new ArgumentException($"Unknown shape '{shape}'; use disc or bar.", nameof(shape)),
        };
        var rng = DeterministicRandom.FromKeys(disc ? 1 : 2, image, size);
        var (r, g, b) = ((byte)rng.NextInt(120, 256), (byte)rng.NextInt(120, 256), (byte)rng.NextInt(120, 256));
        double radius = size * rng.NextDouble(0.22, 0.34);
        double cx = rng.NextDouble(radius, size - radius), cy = rng.NextDouble(radius, size - radius);
        bool lying = rng.NextInt(2) == 0;
        int length = (int)(size * rng.NextDouble(0.6, 0.9)), thickness = Math.Max(2, size / 6);
        int x0 = rng.NextInt(size - length + 1), y0 = rng.NextInt(size - thickness + 1);
        var rgb = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                bool inside = disc
                    ? (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) <= radius * radius
                    : lying ? x >= x0 && x < x0 + length && y >= y0 && y < y0 + thickness : y >= x0 && y < x0 + length && x >= y0 && x < y0 + thickness;
                int o = (y * size + x) * 3, noise = rng.NextInt(0, 30);
                rgb[o] = inside ? r : (byte)noise;
                rgb[o + 1] = inside ? g : (byte)noise;
                rgb[o + 2] = inside ? b : (byte)noise;
            }
        }

        return rgb;
    }

    public static string WritePng(string path, byte[] rgb, int width, int height) =>
        Write(path, s => new ImageWriter().WritePng(rgb, width, height, ColorComponents.RedGreenBlue, s));

    public static string WritePngGrey(string path, byte[] grey, int width, int height) =>
        Write(path, s => new ImageWriter().WritePng(grey, width, height, ColorComponents.Grey, s));

    public static string WriteJpeg(string path, byte[] rgb, int width, int height, int quality = 95) =>
        Write(path, s => new ImageWriter().WriteJpg(rgb, width, height, ColorComponents.RedGreenBlue, s, quality));

    public static string WriteBmp(string path, byte[] rgb, int width, int height) =>
        Write(path, s => new ImageWriter().WriteBmp(rgb, width, height, ColorComponents.RedGreenBlue, s));

    /// <summary>
    /// Writes <c>root/&lt;class&gt;/img_NNN.&lt;ext&gt;</c> images: class k gets <paramref name="perClass"/> images, in turn
    /// PNG, JPEG and (every fifth) BMP. The pixels are <see cref="Textured"/> ones, or what <paramref name="draw"/> gives
    /// for (class name, image index): interleaved RGB of <paramref name="size"/> × <paramref name="size"/>.
    /// </summary>
    public static void WriteFolder(string root, IReadOnlyList<string> classes, int perClass, int size = 12, bool pngOnly = false,
        Func<string, int, byte[]>? draw = null)
    {
        for (int k = 0; k < classes.Count; k++)
        {
            string dir = Path.Combine(root, classes[k]);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < perClass; i++)
            {
                byte[] rgb = draw?.Invoke(classes[k], i) ?? Textured(size, size, k, i);
                string stem = Path.Combine(dir, $"img_{i:D3}");
                if (pngOnly || i % 2 == 0)
                {
                    WritePng(stem + ".png", rgb, size, size);
                }
                else if (i % 5 == 1)
                {
                    WriteBmp(stem + ".bmp", rgb, size, size);
                }
                else
                {
                    WriteJpeg(stem + ".jpg", rgb, size, size);
                }
            }
        }
    }

    private static string Write(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var stream = File.Create(path))
        {
            write(stream);
        }

        return path;
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}

/// <summary>An <see cref="ILogger"/> that keeps what it is told.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public IEnumerable<string> Warnings => Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
