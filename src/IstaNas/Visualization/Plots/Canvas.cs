namespace IstaNas.Visualization.Plots;

/// <summary>
/// A minimal anti-aliased RGB rasteriser: rectangles, thick polylines, filled polygons, dots and bitmap text.
/// Coordinates are pixels, y down; pixel (x, y) covers [x, x+1) x [y, y+1).
/// </summary>
internal sealed class Canvas
{
    private readonly byte[] _rgb;

    public Canvas(int width, int height, Rgb background)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "A canvas needs a positive size.");
        Width = width;
        Height = height;
        _rgb = new byte[width * height * 3];
        for (int i = 0; i < _rgb.Length; i += 3)
        {
            _rgb[i] = background.R;
            _rgb[i + 1] = background.G;
            _rgb[i + 2] = background.B;
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major RGB bytes.</summary>
    public ReadOnlySpan<byte> Pixels => _rgb;

    public Rgb this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return new Rgb(_rgb[i], _rgb[i + 1], _rgb[i + 2]);
        }
    }

    public void Blend(int x, int y, Rgb c, double alpha)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height || alpha <= 0) return;
        if (alpha > 1) alpha = 1;
        int i = (y * Width + x) * 3;
        _rgb[i] = (byte)Math.Round(_rgb[i] + (c.R - _rgb[i]) * alpha);
        _rgb[i + 1] = (byte)Math.Round(_rgb[i + 1] + (c.G - _rgb[i + 1]) * alpha);
        _rgb[i + 2] = (byte)Math.Round(_rgb[i + 2] + (c.B - _rgb[i + 2]) * alpha);
    }

    /// <summary>Fills the pixels whose centres lie in [x0, x1) x [y0, y1).</summary>
    public void FillRect(double x0, double y0, double x1, double y1, Rgb c, double alpha = 1)
    {
        int ax = (int)Math.Ceiling(Math.Min(x0, x1) - 0.5), bx = (int)Math.Ceiling(Math.Max(x0, x1) - 0.5);
        int ay = (int)Math.Ceiling(Math.Min(y0, y1) - 0.5), by = (int)Math.Ceiling(Math.Max(y0, y1) - 0.5);
        for (int y = Math.Max(ay, 0); y < Math.Min(by, Height); y++)
            for (int x = Math.Max(ax, 0); x < Math.Min(bx, Width); x++)
                Blend(x, y, c, alpha);
    }

    /// <summary>Strokes a polyline with round joins: each pixel takes its best coverage over all segments, so joins do not darken.</summary>
    public void StrokePolyline(IReadOnlyList<(double X, double Y)> points, Rgb c, double width, double dash = 0)
    {
        if (points.Count < 2) return;
        double half = width / 2;
        double minX = points.Min(p => p.X) - half - 1, maxX = points.Max(p => p.X) + half + 1;
        double minY = points.Min(p => p.Y) - half - 1, maxY = points.Max(p => p.Y) + half + 1;
        int x0 = Math.Max(0, (int)Math.Floor(minX)), x1 = Math.Min(Width - 1, (int)Math.Ceiling(maxX));
        int y0 = Math.Max(0, (int)Math.Floor(minY)), y1 = Math.Min(Height - 1, (int)Math.Ceiling(maxY));
        if (x1 < x0 || y1 < y0) return;
        int w = x1 - x0 + 1;
        var cover = new float[w * (y1 - y0 + 1)];
        double run = 0;
        for (int s = 0; s + 1 < points.Count; s++)
        {
            (double ax, double ay) = points[s];
            (double bx, double by) = points[s + 1];
            double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, len = Math.Sqrt(len2);
            int sx0 = Math.Max(x0, (int)Math.Floor(Math.Min(ax, bx) - half - 1)), sx1 = Math.Min(x1, (int)Math.Ceiling(Math.Max(ax, bx) + half + 1));
            int sy0 = Math.Max(y0, (int)Math.Floor(Math.Min(ay, by) - half - 1)), sy1 = Math.Min(y1, (int)Math.Ceiling(Math.Max(ay, by) + half + 1));
            for (int y = sy0; y <= sy1; y++)
                for (int x = sx0; x <= sx1; x++)
                {
                    double px = x + 0.5 - ax, py = y + 0.5 - ay;
                    double t = len2 < 1e-12 ? 0 : Math.Clamp((px * dx + py * dy) / len2, 0, 1);
                    if (dash > 0 && ((int)Math.Floor((run + t * len) / dash) & 1) == 1) continue;
                    double ex = px - t * dx, ey = py - t * dy;
                    double d = Math.Sqrt(ex * ex + ey * ey);
                    float a = (float)Math.Clamp(half + 0.5 - d, 0, 1);
                    int k = (y - y0) * w + (x - x0);
                    if (a > cover[k]) cover[k] = a;
                }
            run += len;
        }
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                float a = cover[(y - y0) * w + (x - x0)];
                if (a > 0) Blend(x, y, c, a);
            }
    }

    public void Line(double ax, double ay, double bx, double by, Rgb c, double width = 1, double dash = 0) =>
        StrokePolyline([(ax, ay), (bx, by)], c, width, dash);

    /// <summary>Fills a polygon (non-zero winding) with 4x4 supersampling, scanline by scanline.</summary>
    public void FillPolygon(IReadOnlyList<(double X, double Y)> points, Rgb c, double alpha = 1)
    {
        if (points.Count < 3) return;
        (double X, double Y)[] p = [.. points];
        int x0 = Math.Max(0, (int)Math.Floor(p.Min(q => q.X))), x1 = Math.Min(Width - 1, (int)Math.Ceiling(p.Max(q => q.X)));
        int y0 = Math.Max(0, (int)Math.Floor(p.Min(q => q.Y))), y1 = Math.Min(Height - 1, (int)Math.Ceiling(p.Max(q => q.Y)));
        if (x1 < x0 || y1 < y0) return;
        var cover = new float[x1 - x0 + 1];
        var crossings = new List<(double X, int Dir)>();
        for (int y = y0; y <= y1; y++)
        {
            Array.Clear(cover);
            for (int sy = 0; sy < 4; sy++)
            {
                double yy = y + (sy + 0.5) / 4;
                crossings.Clear();
                for (int i = 0; i < p.Length; i++)
                {
                    (double ax, double ay) = p[i];
                    (double bx, double by) = p[(i + 1) % p.Length];
                    if ((ay <= yy) == (by <= yy)) continue;
                    crossings.Add((ax + (yy - ay) / (by - ay) * (bx - ax), by > ay ? 1 : -1));
                }
                crossings.Sort((a, b) => a.X.CompareTo(b.X));
                int winding = 0;
                for (int i = 0; i + 1 < crossings.Count; i++)
                {
                    winding += crossings[i].Dir;
                    if (winding == 0) continue;
                    // Subsample columns k (centre (k + 0.5) / 4) inside [from, to).
                    int k0 = Math.Max((int)Math.Ceiling(crossings[i].X * 4 - 0.5), x0 * 4);
                    int k1 = Math.Min((int)Math.Ceiling(crossings[i + 1].X * 4 - 0.5) - 1, x1 * 4 + 3);
                    for (int k = k0; k <= k1; k++) cover[k / 4 - x0] += 1f / 16;
                }
            }
            for (int x = x0; x <= x1; x++)
                if (cover[x - x0] > 0) Blend(x, y, c, alpha * Math.Min(1, cover[x - x0]));
        }
    }

    /// <summary>A filled disc.</summary>
    public void FillCircle(double cx, double cy, double r, Rgb c)
    {
        for (int y = (int)Math.Floor(cy - r - 1); y <= (int)Math.Ceiling(cy + r + 1); y++)
            for (int x = (int)Math.Floor(cx - r - 1); x <= (int)Math.Ceiling(cx + r + 1); x++)
            {
                double d = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
                Blend(x, y, c, Math.Clamp(r + 0.5 - d, 0, 1));
            }
    }

    /// <summary>Points of a rounded rectangle's outline, clockwise.</summary>
    public static List<(double X, double Y)> RoundedRect(double x0, double y0, double x1, double y1, double radius)
    {
        radius = Math.Min(radius, Math.Min(x1 - x0, y1 - y0) / 2);
        var pts = new List<(double, double)>();
        void Arc(double cx, double cy, double from)
        {
            for (int i = 0; i <= 6; i++)
            {
                double a = (from + 90.0 * i / 6) * Math.PI / 180;
                pts.Add((cx + radius * Math.Cos(a), cy + radius * Math.Sin(a)));
            }
        }
        Arc(x1 - radius, y0 + radius, -90);
        Arc(x1 - radius, y1 - radius, 0);
        Arc(x0 + radius, y1 - radius, 90);
        Arc(x0 + radius, y0 + radius, 180);
        return pts;
    }

    /// <summary>Draws text with its top-left corner at (x, y); <paramref name="scale"/> device pixels per font pixel.</summary>
    public void Text(double x, double y, string text, Rgb c, int scale = 1)
    {
        int ox = (int)Math.Round(x), oy = (int)Math.Round(y);
        for (int i = 0; i < text.Length; i++)
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                    if (BitmapFont.IsSet(text[i], col, row))
                        for (int dy = 0; dy < scale; dy++)
                            for (int dx = 0; dx < scale; dx++)
                                Blend(ox + (i * BitmapFont.Advance + col) * scale + dx, oy + row * scale + dy, c, 1);
    }

    /// <summary>Text rotated 90° counter-clockwise (reading bottom to top), its baseline-left corner at (x, y).</summary>
    public void TextVertical(double x, double y, string text, Rgb c, int scale = 1)
    {
        int ox = (int)Math.Round(x), oy = (int)Math.Round(y);
        for (int i = 0; i < text.Length; i++)
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                    if (BitmapFont.IsSet(text[i], col, row))
                        for (int dy = 0; dy < scale; dy++)
                            for (int dx = 0; dx < scale; dx++)
                                Blend(ox + row * scale + dx, oy - (i * BitmapFont.Advance + col) * scale - dy, c, 1);
    }

    /// <summary>Width of <paramref name="text"/> in device pixels at <paramref name="scale"/>.</summary>
    public static int TextWidth(string text, int scale = 1) => BitmapFont.Measure(text) * scale;

    /// <summary>Cap height in device pixels at <paramref name="scale"/>.</summary>
    public static int TextHeight(int scale = 1) => BitmapFont.Ascent * scale;

    /// <summary>Draws text centred horizontally on <paramref name="cx"/> with its cap height centred on <paramref name="cy"/>.</summary>
    public void TextCentered(double cx, double cy, string text, Rgb c, int scale = 1) =>
        Text(cx - TextWidth(text, scale) / 2.0, cy - TextHeight(scale) / 2.0, text, c, scale);

    /// <summary>Encodes the canvas as PNG.</summary>
    public byte[] ToPng() => Png.Encode(Width, Height, _rgb);
}
