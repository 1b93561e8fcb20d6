using SkiaSharp;

namespace IstaNas.Visualization.Drawing;

/// <summary>
/// DejaVu Sans (regular and bold), embedded in the assembly so pictures have the same readable, anti-aliased text on
/// every machine, fonts installed or not (minimal containers have none). ScottPlot finds it by <see cref="Name"/>
/// through a font resolver registered once per process.
/// </summary>
internal static class EmbeddedFonts
{
    /// <summary>The family name the pictures ask ScottPlot for; unlike any system font's, so nothing else is affected.</summary>
    public const string Name = "IstaNas DejaVu Sans";

    /// <summary>The family an SVG asks the viewer for (the SVG does not embed the font).</summary>
    public const string SvgFamily = "'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif";

    private static readonly Lazy<SKTypeface> RegularFace = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> BoldFace = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly object Gate = new();

    /// <summary>The regular or bold typeface.</summary>
    public static SKTypeface Typeface(bool bold) => bold ? BoldFace.Value : RegularFace.Value;

    /// <summary>Adds the resolver for <see cref="Name"/> to ScottPlot's font resolvers unless it is there (again after a <c>Fonts.Reset()</c>).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (!ScottPlot.Fonts.FontResolvers.OfType<EmbeddedFontResolver>().Any())
                ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
        }
    }

    private static SKTypeface Load(string file)
    {
        string resource = $"IstaNas.Visualization.Fonts.{file}";
        using Stream stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded font '{resource}' is missing from {typeof(EmbeddedFonts).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return SKTypeface.FromData(SKData.CreateCopy(copy.ToArray()))
            ?? throw new InvalidOperationException($"SkiaSharp could not read the embedded font '{resource}'.");
    }
}
