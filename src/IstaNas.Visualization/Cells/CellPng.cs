using IstaNas.Visualization.Drawing;
using ScottPlot;

namespace IstaNas.Visualization.Cells;

/// <summary>Draws a <see cref="CellLayout"/> with ScottPlot: one frameless plot whose coordinates are the layout's pixels.</summary>
internal static class CellPng
{
    /// <summary>How many image pixels a layout pixel becomes.</summary>
    public const double Scale = 1.25;

    /// <summary>The image size of a layout, in pixels.</summary>
    public static (int Width, int Height) ImageSize(CellLayout layout) =>
        ((int)Math.Ceiling(layout.Width * Scale), (int)Math.Ceiling(layout.Height * Scale));

    public static byte[] Render(CellLayout layout)
    {
        using Plot plot = Build(layout);
        (int width, int height) = ImageSize(layout);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>The plot that draws <paramref name="layout"/>.</summary>
    public static Plot Build(CellLayout layout)
    {
        EmbeddedFonts.Register();
        var plot = new Plot { ScaleFactor = Scale };
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.HideAxesAndGrid();
        plot.Layout.Frameless();

        foreach (CellEdge e in layout.Edges)
        {
            IReadOnlyList<Cells.DiagramPoint> points = e.Flatten();
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Colours.Of(e.Color));
            line.LineWidth = 1.6f;
            line.MarkerSize = 0;
            Arrowhead a = e.Arrow;
            var head = plot.Add.Polygon([new(a.Tip.X, a.Tip.Y), new(a.Upper.X, a.Upper.Y), new(a.Lower.X, a.Lower.Y)]);
            head.FillColor = Colours.Of(e.Color);
            head.LineWidth = 0;
        }
        foreach (CellBox b in layout.Boxes)
        {
            RoundedRect(plot, b.Bounds, 7, Colours.Of(b.Fill), Colours.Of("#444444"), 1.2f);
            Label(plot, b.Name, b.Bounds.Center, CellLayout.NodeFontSize, Colours.Of(Colours.Ink), bold: false);
        }
        foreach (CellEdge e in layout.Edges)
        {
            if (e.Label is not DiagramRect r || e.Operation is null) continue;
            RoundedRect(plot, r, 4, Colors.White, Colours.Of(e.Color), 1f);
            Label(plot, e.Operation, r.Center, CellLayout.LabelFontSize, Colours.Of(e.Color), bold: false);
        }
        var title = plot.Add.Text(layout.Title, layout.TitleAt.X, layout.TitleAt.Y);
        title.LabelStyle.FontName = EmbeddedFonts.Name;
        title.LabelStyle.FontSize = (float)CellLayout.TitleFontSize;
        title.LabelStyle.Bold = true;
        title.LabelStyle.ForeColor = Colours.Of(Colours.Ink);
        title.LabelStyle.Alignment = Alignment.LowerLeft;

        plot.Axes.SetLimits(0, layout.Width, layout.Height, 0); // y grows downwards, like the layout's
        return plot;
    }

    private static void Label(Plot plot, string text, Cells.DiagramPoint at, double size, Color color, bool bold)
    {
        var t = plot.Add.Text(text, at.X, at.Y);
        t.LabelStyle.FontName = EmbeddedFonts.Name;
        t.LabelStyle.FontSize = (float)size;
        t.LabelStyle.Bold = bold;
        t.LabelStyle.ForeColor = color;
        t.LabelStyle.Alignment = Alignment.MiddleCenter;
    }

    private static void RoundedRect(Plot plot, DiagramRect r, double radius, Color fill, Color stroke, float width)
    {
        var points = new List<Coordinates>();
        (double X, double Y, double From)[] corners =
        [
            (r.Right - radius, r.Top + radius, -90), (r.Right - radius, r.Bottom - radius, 0),
            (r.Left + radius, r.Bottom - radius, 90), (r.Left + radius, r.Top + radius, 180),
        ];
        foreach ((double cx, double cy, double from) in corners)
            for (int i = 0; i <= 6; i++)
            {
                double angle = (from + 15 * i) * Math.PI / 180;
                points.Add(new Coordinates(cx + radius * Math.Cos(angle), cy + radius * Math.Sin(angle)));
            }
        var polygon = plot.Add.Polygon([.. points]);
        polygon.FillColor = fill;
        polygon.LineColor = stroke;
        polygon.LineWidth = width;
    }
}
