using System.Globalization;
using System.Security;
using System.Text;
using IstaNas.Architecture;

using IstaNas.IO;

namespace IstaNas.Visualization;

/// <summary>
/// Pictures of the cells of a genotype, like DARTS' plot_genotype but without graphviz: a self-contained
/// SVG per cell drawn from a <see cref="CellLayout"/>.
/// </summary>
public static class CellDiagram
{
    /// <summary>Stroke colour of the arrows from the concatenated states into the output.</summary>
    public const string ConcatColor = "#707070";

    /// <summary>The colour (#rrggbb) an operation's arrows and label are drawn in; black for unknown names.</summary>
    public static string OperationColor(string operation) => operation switch
    {
        Operations.MaxPool3x3 => "#1f77b4",
        Operations.AvgPool3x3 => "#0f8a96",
        Operations.SkipConnect => "#2ca02c",
        Operations.SepConv3x3 => "#d62728",
        Operations.SepConv5x5 => "#9467bd",
        Operations.DilConv3x3 => "#e06c00",
        Operations.DilConv5x5 => "#8c564b",
        Operations.None => "#a0a020",
        _ => "#000000",
    };

    /// <summary>A self-contained SVG document drawing one cell of <paramref name="genotype"/>.</summary>
    public static string ToSvg(Genotype genotype, CellType cell)
    {
        CellLayout layout = CellLayout.Create(genotype, cell);
        var sb = new StringBuilder();
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        string E(string s) => SecurityElement.Escape(s);
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
          .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(layout.Width)}\" height=\"{F(layout.Height)}\" viewBox=\"0 0 {F(layout.Width)} {F(layout.Height)}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">\n")
          .Append(CultureInfo.InvariantCulture, $"  <title>{E(layout.Title)}</title>\n")
          .Append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")
          .Append(CultureInfo.InvariantCulture, $"  <text x=\"{F(layout.TitleAt.X)}\" y=\"{F(layout.TitleAt.Y)}\" font-size=\"14\" font-weight=\"bold\" fill=\"#000000\">{E(layout.Title)}</text>\n");
        foreach (DiagramEdge e in layout.Edges)
        {
            (DiagramPoint tip, DiagramPoint left, DiagramPoint right) = ArrowHead(e);
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"edge\" data-from=\"{E(e.From)}\" data-to=\"{E(e.To)}\"{(e.Operation is null ? "" : $" data-op=\"{E(e.Operation)}\"")}>")
              .Append(CultureInfo.InvariantCulture, $"<path d=\"M {F(e.Start.X)} {F(e.Start.Y)} Q {F(e.Control.X)} {F(e.Control.Y)} {F(e.End.X)} {F(e.End.Y)}\" fill=\"none\" stroke=\"{e.Color}\" stroke-width=\"1.6\"/>")
              .Append(CultureInfo.InvariantCulture, $"<polygon points=\"{F(tip.X)},{F(tip.Y)} {F(left.X)},{F(left.Y)} {F(right.X)},{F(right.Y)}\" fill=\"{e.Color}\"/></g>\n");
        }
        foreach (DiagramNode n in layout.Nodes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"node\" data-id=\"{E(n.Id)}\">")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(n.Center.X - n.Width / 2)}\" y=\"{F(n.Center.Y - n.Height / 2)}\" width=\"{F(n.Width)}\" height=\"{F(n.Height)}\" rx=\"6\" fill=\"{n.Fill}\" stroke=\"#333333\" stroke-width=\"1.2\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"{F(n.Center.X)}\" y=\"{F(n.Center.Y + 4.5)}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#000000\">{E(n.Label)}</text></g>\n");
        }
        foreach (DiagramEdge e in layout.Edges)
        {
            if (e.Operation is null) continue;
            DiagramPoint m = e.Middle;
            double w = CellLayout.LabelWidth(e.Operation), h = CellLayout.LabelHeight;
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"label\" data-from=\"{E(e.From)}\" data-to=\"{E(e.To)}\">")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(m.X - w / 2)}\" y=\"{F(m.Y - h / 2)}\" width=\"{F(w)}\" height=\"{F(h)}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"{e.Color}\" stroke-width=\"0.8\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"{F(m.X)}\" y=\"{F(m.Y + 4)}\" text-anchor=\"middle\" fill=\"{e.Color}\">{E(e.Operation)}</text></g>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes <c>normal.svg</c> and <c>reduce.svg</c> into <paramref name="directory"/> (created if needed), each atomically.
    /// </summary>
    /// <returns>The paths written, normal first.</returns>
    public static IReadOnlyList<string> Save(Genotype genotype, string directory)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string normal = Path.Combine(directory, "normal.svg");
        string reduce = Path.Combine(directory, "reduce.svg");
        AtomicFile.WriteAllText(normal, ToSvg(genotype, CellType.Normal));
        AtomicFile.WriteAllText(reduce, ToSvg(genotype, CellType.Reduce));
        return [normal, reduce];
    }

    /// <summary>The triangle of an edge's arrow head: tip at the end, 9 units long, pointing along Control→End.</summary>
    public static (DiagramPoint Tip, DiagramPoint Left, DiagramPoint Right) ArrowHead(DiagramEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        double dx = edge.End.X - edge.Control.X, dy = edge.End.Y - edge.Control.Y;
        double len = Math.Sqrt(dx * dx + dy * dy);
        if (len < 1e-9)
        {
            dx = edge.End.X - edge.Start.X;
            dy = edge.End.Y - edge.Start.Y;
            len = Math.Max(Math.Sqrt(dx * dx + dy * dy), 1e-9);
        }
        dx /= len;
        dy /= len;
        const double length = 9, half = 4;
        var bx = edge.End.X - dx * length;
        var by = edge.End.Y - dy * length;
        return (edge.End, new DiagramPoint(bx - dy * half, by + dx * half), new DiagramPoint(bx + dy * half, by - dx * half));
    }
}
