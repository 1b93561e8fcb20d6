using ScottPlot;
using SkiaSharp;

namespace IstaNas.Visualization.Drawing;

/// <summary>Resolves <see cref="EmbeddedFonts.Name"/> to the embedded DejaVu Sans; any other name to null (the next resolver).</summary>
internal sealed class EmbeddedFontResolver : IFontResolver
{
    /// <inheritdoc />
    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
        fontName == EmbeddedFonts.Name ? EmbeddedFonts.Typeface((int)weight >= (int)FontWeight.SemiBold) : null;

    /// <inheritdoc />
    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        fontName == EmbeddedFonts.Name ? EmbeddedFonts.Typeface(bold) : null;
}
