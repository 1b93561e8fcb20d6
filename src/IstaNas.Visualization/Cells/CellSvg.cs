using System.Globalization;
using System.Security;
using System.Text;
using IstaNas.Visualization.Drawing;

namespace IstaNas.Visualization.Cells;

/// <summary>A self-contained SVG document of a <see cref="CellLayout"/> (edges, then boxes, then labels on top).</summary>
internal static class CellSvg
{
    public static string Render(CellLayout layout)
    {
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
          .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(layout.Width)}\" height=\"{F(layout.Height)}\" viewBox=\"0 0 {F(layout.Width)} {F(layout.Height)}\" font-family=\"{E(EmbeddedFonts.SvgFamily)}\">\n")
          .Append(CultureInfo.InvariantCulture, $"  <title>{E(layout.Title)}</title>\n")
          .Append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")
          .Append(CultureInfo.InvariantCulture, $"  <text class=\"title\" x=\"{F(layout.TitleAt.X)}\" y=\"{F(layout.TitleAt.Y)}\" font-size=\"{F(CellLayout.TitleFontSize)}\" font-weight=\"bold\" fill=\"{Colours.Ink}\">{E(layout.Title)}</text>\n");
        foreach (CellEdge e in layout.Edges)
        {
            var d = new StringBuilder();
            d.Append(CultureInfo.InvariantCulture, $"M {F(e.Path[0].Start.X)} {F(e.Path[0].Start.Y)}");
            foreach (CubicSegment s in e.Path)
                d.Append(CultureInfo.InvariantCulture, $" C {F(s.Control1.X)} {F(s.Control1.Y)} {F(s.Control2.X)} {F(s.Control2.Y)} {F(s.End.X)} {F(s.End.Y)}");
            Arrowhead a = e.Arrow;
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"edge\" data-from=\"{E(e.From)}\" data-to=\"{E(e.To)}\"{(e.Operation is null ? "" : $" data-op=\"{E(e.Operation)}\"")}>")
              .Append(CultureInfo.InvariantCulture, $"<path d=\"{d}\" fill=\"none\" stroke=\"{e.Color}\" stroke-width=\"1.6\"/>")
              .Append(CultureInfo.InvariantCulture, $"<polygon points=\"{F(a.Tip.X)},{F(a.Tip.Y)} {F(a.Upper.X)},{F(a.Upper.Y)} {F(a.Lower.X)},{F(a.Lower.Y)}\" fill=\"{e.Color}\"/></g>\n");
        }
        foreach (CellBox b in layout.Boxes)
        {
            DiagramRect r = b.Bounds;
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"node\" data-name=\"{E(b.Name)}\">")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(r.Left)}\" y=\"{F(r.Top)}\" width=\"{F(r.Width)}\" height=\"{F(r.Height)}\" rx=\"7\" fill=\"{b.Fill}\" stroke=\"#444444\" stroke-width=\"1.2\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"{F(r.Center.X)}\" y=\"{F(r.Center.Y + 0.36 * CellLayout.NodeFontSize)}\" text-anchor=\"middle\" font-size=\"{F(CellLayout.NodeFontSize)}\" fill=\"{Colours.Ink}\">{E(b.Name)}</text></g>\n");
        }
        foreach (CellEdge e in layout.Edges)
        {
            if (e.Label is not DiagramRect r || e.Operation is null) continue;
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"label\" data-from=\"{E(e.From)}\" data-to=\"{E(e.To)}\">")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(r.Left)}\" y=\"{F(r.Top)}\" width=\"{F(r.Width)}\" height=\"{F(r.Height)}\" rx=\"4\" fill=\"#ffffff\" stroke=\"{e.Color}\" stroke-width=\"1\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"{F(r.Center.X)}\" y=\"{F(r.Center.Y + 0.36 * CellLayout.LabelFontSize)}\" text-anchor=\"middle\" font-size=\"{F(CellLayout.LabelFontSize)}\" fill=\"{e.Color}\">{E(e.Operation)}</text></g>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string s) => SecurityElement.Escape(s);
}
