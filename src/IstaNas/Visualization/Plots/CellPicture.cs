using IstaNas.Architecture;

namespace IstaNas.Visualization.Plots;

/// <summary>Rasterises the <see cref="CellLayout"/> that <see cref="CellDiagram"/> draws as SVG, at twice its size.</summary>
internal static class CellPicture
{
    private const int Scale = 2;

    public static Canvas Render(Genotype genotype, CellType cell)
    {
        CellLayout layout = CellLayout.Create(genotype, cell);
        var canvas = new Canvas((int)Math.Ceiling(layout.Width * Scale), (int)Math.Ceiling(layout.Height * Scale), Rgb.White);
        (double, double) P(DiagramPoint p) => (p.X * Scale, p.Y * Scale);

        canvas.Text(layout.TitleAt.X * Scale, (layout.TitleAt.Y - 12) * Scale, layout.Title, Rgb.Black, 3);
        foreach (DiagramEdge e in layout.Edges)
        {
            Rgb colour = Rgb.Parse(e.Color);
            var curve = Enumerable.Range(0, 25).Select(i => P(e.PointAt(i / 24.0))).ToList();
            canvas.StrokePolyline(curve, colour, 1.6 * Scale);
            (DiagramPoint tip, DiagramPoint left, DiagramPoint right) = CellDiagram.ArrowHead(e);
            canvas.FillPolygon([P(tip), P(left), P(right)], colour);
        }
        foreach (DiagramNode n in layout.Nodes)
        {
            var outline = Canvas.RoundedRect(
                (n.Center.X - n.Width / 2) * Scale, (n.Center.Y - n.Height / 2) * Scale,
                (n.Center.X + n.Width / 2) * Scale, (n.Center.Y + n.Height / 2) * Scale, 6 * Scale);
            canvas.FillPolygon(outline, Rgb.Parse(n.Fill));
            canvas.StrokePolyline([.. outline, outline[0]], Rgb.Grey(0x33), 1.2 * Scale);
            canvas.TextCentered(n.Center.X * Scale, n.Center.Y * Scale, n.Label, Rgb.Black, 2);
        }
        foreach (DiagramEdge e in layout.Edges)
        {
            if (e.Operation is null) continue;
            Rgb colour = Rgb.Parse(e.Color);
            DiagramPoint m = e.Middle;
            double w = CellLayout.LabelWidth(e.Operation), h = CellLayout.LabelHeight;
            var box = Canvas.RoundedRect((m.X - w / 2) * Scale, (m.Y - h / 2) * Scale, (m.X + w / 2) * Scale, (m.Y + h / 2) * Scale, 3 * Scale);
            canvas.FillPolygon(box, Rgb.White, 0.9);
            canvas.StrokePolyline([.. box, box[0]], colour, 0.8 * Scale);
            canvas.TextCentered(m.X * Scale, m.Y * Scale, e.Operation, colour, 2);
        }
        return canvas;
    }
}
