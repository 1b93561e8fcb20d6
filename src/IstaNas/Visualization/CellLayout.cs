using IstaNas.Architecture;

namespace IstaNas.Visualization;

/// <summary>
/// A layered layout of one cell of a genotype, the geometry shared by <see cref="CellDiagram"/> (SVG)
/// and raster renderers: the inputs c_{k-2} (above) and c_{k-1} (below) on the left, the intermediate
/// nodes left to right in order, the output c_{k} on the right. Edges are quadratic Bézier curves:
/// arrows from c_{k-2} bow upwards, from c_{k-1} downwards, arrows that skip nodes arc above (first pair)
/// or below (second pair) with a height that grows with the distance, and repeated pairs are spread apart,
/// so labels rarely overlap.
/// </summary>
public sealed class CellLayout
{
    /// <summary>Horizontal distance between consecutive columns.</summary>
    public const double ColumnSpacing = 200;

    /// <summary>Height of a label box in diagram units.</summary>
    public const double LabelHeight = 16;

    private const double Margin = 16;
    private const double InputOffset = 90;
    private const double TitleHeight = 28;

    private CellLayout(string title, double width, double height, IReadOnlyList<DiagramNode> nodes, IReadOnlyList<DiagramEdge> edges)
    {
        Title = title;
        Width = width;
        Height = height;
        Nodes = nodes;
        Edges = edges;
    }

    /// <summary>Caption: "normal cell" or "reduction cell".</summary>
    public string Title { get; }

    /// <summary>Where the caption's baseline starts.</summary>
    public DiagramPoint TitleAt => new(Margin, Margin + 14);

    /// <summary>Width of the drawing.</summary>
    public double Width { get; }

    /// <summary>Height of the drawing.</summary>
    public double Height { get; }

    /// <summary>The boxes: c_{k-2}, c_{k-1}, nodes 0..N-1, c_{k}.</summary>
    public IReadOnlyList<DiagramNode> Nodes { get; }

    /// <summary>One edge per (operation, predecessor) pair (node order, pair order), then one per concatenated state.</summary>
    public IReadOnlyList<DiagramEdge> Edges { get; }

    /// <summary>Estimated width of a label in diagram units (monospace, about 7.2 units a character, plus padding).</summary>
    public static double LabelWidth(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return 7.2 * text.Length + 8;
    }

    /// <summary>Lays out one cell of <paramref name="genotype"/>.</summary>
    public static CellLayout Create(Genotype genotype, CellType cell)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        int n = genotype.Nodes;
        var centres = new DiagramPoint[n + 3]; // 0, 1 inputs; 2..n+1 nodes; n+2 output
        var boxes = new (string Id, DiagramNodeKind Kind, double W, double H)[n + 3];
        centres[0] = new DiagramPoint(0, -InputOffset);
        centres[1] = new DiagramPoint(0, InputOffset);
        boxes[0] = ("c_{k-2}", DiagramNodeKind.Input, 76, 32);
        boxes[1] = ("c_{k-1}", DiagramNodeKind.Input, 76, 32);
        for (int j = 0; j < n; j++)
        {
            centres[j + 2] = new DiagramPoint((j + 1) * ColumnSpacing, 0);
            string id = j.ToString(System.Globalization.CultureInfo.InvariantCulture);
            boxes[j + 2] = (id, DiagramNodeKind.Intermediate, Math.Max(36, 9 * id.Length + 22), 32);
        }
        centres[n + 2] = new DiagramPoint((n + 1) * ColumnSpacing, 0);
        boxes[n + 2] = ("c_{k}", DiagramNodeKind.Output, 64, 32);

        var raw = new List<(int From, int To, string? Op, string Color, DiagramPoint Control)>();
        var seen = new Dictionary<(int, int), int>();
        IReadOnlyList<GenotypeEdge> pairs = genotype.Cell(cell);
        for (int k = 0; k < pairs.Count; k++)
        {
            GenotypeEdge e = pairs[k];
            int target = k / genotype.EdgesPerNode + 2;
            int pair = k % genotype.EdgesPerNode;
            int repeat = seen.TryGetValue((e.Input, target), out int r) ? r + 1 : 0;
            seen[(e.Input, target)] = repeat;
            DiagramPoint a = centres[e.Input], b = centres[target];
            double span = (b.X - a.X) / ColumnSpacing;
            double bow = e.Input switch
            {
                0 => -(span - 1) * 45 - repeat * 48,
                1 => (span - 1) * 45 + repeat * 48,
                _ => (pair % 2 == 0 ? -1 : 1) * ((span > 1.5 ? span * 55 : 0) + repeat * 48),
            };
            raw.Add((e.Input, target, e.Operation, CellDiagram.OperationColor(e.Operation), Bowed(a, b, bow)));
        }
        foreach (int state in genotype.Concat(cell))
        {
            DiagramPoint a = centres[state], b = centres[n + 2];
            double span = (b.X - a.X) / ColumnSpacing;
            double bow = state switch
            {
                0 => -60,
                1 => 60,
                _ => span > 1.5 ? 30 + span * 40 : 0,
            };
            raw.Add((state, n + 2, null, CellDiagram.ConcatColor, Bowed(a, b, bow)));
        }

        // Arcs into the output that arrive from below land side by side on its bottom edge (shorter arcs further left)
        // instead of on one point.
        int output = n + 2;
        var landing = raw.Select((x, i) => (x, i)).Where(t => t.x.To == output && t.x.From >= 2 && t.x.Control.Y > centres[output].Y)
            .OrderBy(t => centres[output].X - centres[t.x.From].X).Select((t, rank) => (t.i, rank)).ToDictionary(t => t.i, t => t.rank);
        double outW = boxes[output].W, outH = boxes[output].H;
        double step = landing.Count > 1 ? Math.Min(10, (outW / 2 - 8) / (landing.Count - 1)) : 0;
        var edges = raw.Select((x, i) =>
        {
            DiagramPoint start = Clip(centres[x.From], boxes[x.From].W, boxes[x.From].H, x.Control, centres[x.To]);
            DiagramPoint end = landing.TryGetValue(i, out int rank)
                ? new DiagramPoint(centres[output].X - outW / 2 + 8 + rank * step, centres[output].Y + outH / 2 + 2)
                : Clip(centres[x.To], boxes[x.To].W, boxes[x.To].H, x.Control, centres[x.From]);
            return new DiagramEdge(boxes[x.From].Id, boxes[x.To].Id, x.Op, x.Color, start, x.Control, end);
        }).ToList();

        // Bounding box of boxes, curves and labels, then shift everything below the title.
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        void Include(double x, double y)
        {
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        for (int i = 0; i < centres.Length; i++)
        {
            Include(centres[i].X - boxes[i].W / 2, centres[i].Y - boxes[i].H / 2);
            Include(centres[i].X + boxes[i].W / 2, centres[i].Y + boxes[i].H / 2);
        }
        foreach (DiagramEdge e in edges)
        {
            for (int s = 0; s <= 20; s++)
            {
                DiagramPoint p = e.PointAt(s / 20.0);
                Include(p.X, p.Y);
            }
            if (e.Operation is not null)
            {
                double w = LabelWidth(e.Operation);
                Include(e.Middle.X - w / 2, e.Middle.Y - LabelHeight / 2);
                Include(e.Middle.X + w / 2, e.Middle.Y + LabelHeight / 2);
            }
        }
        double dx = Margin - minX, dy = Margin + TitleHeight - minY;
        DiagramPoint Move(DiagramPoint p) => new(p.X + dx, p.Y + dy);
        var nodes = centres.Select((c, i) => new DiagramNode(boxes[i].Id, boxes[i].Id, boxes[i].Kind, Move(c), boxes[i].W, boxes[i].H)).ToList();
        var moved = edges.Select(e => e with { Start = Move(e.Start), Control = Move(e.Control), End = Move(e.End) }).ToList();
        string title = cell == CellType.Normal ? "normal cell" : "reduction cell";
        return new CellLayout(title, maxX - minX + 2 * Margin, maxY - minY + 2 * Margin + TitleHeight, nodes, moved);
    }

    private static DiagramPoint Bowed(DiagramPoint a, DiagramPoint b, double bow) =>
        new((a.X + b.X) / 2, (a.Y + b.Y) / 2 + bow);

    /// <summary>Where a ray from the box centre towards <paramref name="toward"/> leaves the box (2 units outside it).</summary>
    private static DiagramPoint Clip(DiagramPoint centre, double width, double height, DiagramPoint toward, DiagramPoint fallback)
    {
        double dx = toward.X - centre.X, dy = toward.Y - centre.Y;
        if (Math.Abs(dx) < 1e-9 && Math.Abs(dy) < 1e-9)
        {
            dx = fallback.X - centre.X;
            dy = fallback.Y - centre.Y;
        }
        double len = Math.Sqrt(dx * dx + dy * dy);
        dx /= len;
        dy /= len;
        double hw = width / 2 + 2, hh = height / 2 + 2;
        double t = Math.Min(Math.Abs(dx) < 1e-9 ? double.MaxValue : hw / Math.Abs(dx), Math.Abs(dy) < 1e-9 ? double.MaxValue : hh / Math.Abs(dy));
        return new DiagramPoint(centre.X + t * dx, centre.Y + t * dy);
    }
}
