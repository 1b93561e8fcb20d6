using SkiaSharp;

namespace IstaNas.Visualization.Drawing;

/// <summary>Widths of text in the embedded font, so boxes and columns fit their labels.</summary>
internal static class TextMeasure
{
    private static readonly object Gate = new();

    /// <summary>The advance width of <paramref name="text"/> at <paramref name="size"/> pixels.</summary>
    public static double Width(string text, double size, bool bold = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (Gate)
        {
            using var font = new SKFont(EmbeddedFonts.Typeface(bold), (float)size);
            return font.MeasureText(text);
        }
    }
}
