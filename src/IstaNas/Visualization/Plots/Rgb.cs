using System.Globalization;

namespace IstaNas.Visualization.Plots;

/// <summary>An opaque 8-bit colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb White => new(255, 255, 255);
    public static Rgb Black => new(0, 0, 0);

    /// <summary>Parses "#rrggbb".</summary>
    public static Rgb Parse(string hex)
    {
        string h = hex.TrimStart('#');
        if (h.Length != 6) throw new FormatException($"'{hex}' is not a #rrggbb colour.");
        int v = int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new Rgb((byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }

    /// <summary>Grey of the given level.</summary>
    public static Rgb Grey(byte level) => new(level, level, level);
}
