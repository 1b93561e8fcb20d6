using IstaNas.Architecture;
using IstaNas.Visualization.Drawing;

namespace IstaNas.Visualization.Cells;

/// <summary>
/// The geometry of one cell picture, shared by the PNG and SVG renderers: a layered drawing, left to right, the way
/// Graphviz lays out DARTS cells. The inputs c_{k-2} and c_{k-1} are in the first column, each node one column right of
/// its rightmost predecessor, the output c_{k} last. Every operation label is a box of its own in a label column just
/// before the target's column, and arrows that skip columns pass through the columns between on reserved lanes, so:
/// no two labels, boxes or lanes share space (each column stacks its items with gaps; columns are apart); an edge's
/// curves only run in the gaps between columns, where there are no boxes or labels, and horizontally through its own
/// label; every arrow into a box ends at its own port, so parallel edges (two operations from one predecessor into
/// one node) are distinct curves with their own arrowheads and labels. The size follows the content.
/// </summary>
internal sealed class CellLayout
{
    /// <summary>Font size of the names in the boxes (pixels at 1x).</summary>
    public const double NodeFontSize = 15;

    /// <summary>Font size of the operation labels.</summary>
    public const double LabelFontSize = 13;

    /// <summary>Font size of the caption.</summary>
    public const double TitleFontSize = 16;

    /// <summary>Vertical distance between the ports of the arrows into one box.</summary>
    public const double PortSpacing = 12;

    /// <summary>Length of an arrowhead.</summary>
    public const double ArrowLength = 10;

    /// <summary>Half the width of an arrowhead.</summary>
    public const double ArrowHalfWidth = 4.5;

    /// <summary>Blank border around the drawing.</summary>
    public const double Margin = 14;

    private const double TitleBand = 32;
    private const double BoxHeight = 34;
    private const double LabelHeight = 22;
    private const double MinGap = 40;
    private const double MaxGap = 150;

    private CellLayout(string title, double width, double height, IReadOnlyList<CellBox> boxes, IReadOnlyList<CellEdge> edges)
    {
        Title = title;
        Width = width;
        Height = height;
        Boxes = boxes;
        Edges = edges;
    }

    /// <summary>Caption: "normal cell" or "reduction cell".</summary>
    public string Title { get; }

    /// <summary>Where the caption's baseline starts.</summary>
    public DiagramPoint TitleAt => new(Margin, Margin + TitleFontSize);

    /// <summary>Width of the drawing (pixels at 1x).</summary>
    public double Width { get; }

    /// <summary>Height of the drawing.</summary>
    public double Height { get; }

    /// <summary>The boxes: c_{k-2}, c_{k-1}, n0..n{N-1}, c_{k}.</summary>
    public IReadOnlyList<CellBox> Boxes { get; }

    /// <summary>One edge per (operation, predecessor) pair, in the genotype's order, then one per concatenated state.</summary>
    public IReadOnlyList<CellEdge> Edges { get; }

    /// <summary>The name of state <paramref name="state"/> of a cell with <paramref name="nodes"/> nodes (the output is state nodes + 2).</summary>
    public static string StateName(int state, int nodes) => state == nodes + 2 ? "c_{k}" : GenotypeEdge.InputName(state);

    /// <summary>Lays out one cell of <paramref name="genotype"/>.</summary>
    public static CellLayout Create(Genotype genotype, CellType cell)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        int nodes = genotype.Nodes, perNode = genotype.EdgesPerNode, output = nodes + 2, states = nodes + 3;
        IReadOnlyList<GenotypeEdge> pairs = genotype.Cell(cell);

        // Edges: every (operation, predecessor) pair, then the arrows of the concatenation.
        var edges = new List<(int From, int To, string? Op)>();
        for (int k = 0; k < pairs.Count; k++) edges.Add((pairs[k].Input, k / perNode + 2, pairs[k].Operation));
        foreach (int state in genotype.Concat(cell)) edges.Add((state, output, null));

        // Ranks: inputs 0, a node one more than its highest predecessor, the output after every node.
        var rank = new int[states];
        for (int j = 0; j < nodes; j++)
            rank[j + 2] = 1 + Enumerable.Range(0, perNode).Max(p => rank[pairs[j * perNode + p].Input]);
        rank[output] = 1 + rank.Take(output).DefaultIfEmpty(0).Max();
        int columnCount = 2 * rank[output] + 1;

        // Items: one per box, one per column an edge crosses (its label in the column just before the target).
        var boxes = new LayoutItem[states];
        for (int v = 0; v < states; v++)
        {
            string name = StateName(v, nodes);
            int incoming = edges.Count(e => e.To == v);
            boxes[v] = new LayoutItem
            {
                Column = 2 * rank[v],
                State = v,
                Text = name,
                Width = Math.Max(54, Math.Ceiling(TextMeasure.Width(name, NodeFontSize)) + 26),
                Height = Math.Max(BoxHeight, (incoming - 1) * PortSpacing + 22),
            };
        }
        var chains = new List<LayoutItem>[edges.Count];
        for (int e = 0; e < edges.Count; e++)
        {
            (int from, int to, string? op) = edges[e];
            var chain = new List<LayoutItem>();
            LayoutItem previous = boxes[from];
            for (int c = boxes[from].Column + 1; c < boxes[to].Column; c++)
            {
                bool label = op is not null && c == boxes[to].Column - 1;
                var item = new LayoutItem
                {
                    Column = c,
                    Edge = e,
                    Text = label ? op : null,
                    Width = label ? Math.Ceiling(TextMeasure.Width(op!, LabelFontSize)) + 14 : 0,
                    Height = label ? LabelHeight : 2,
                };
                Link(previous, item);
                chain.Add(item);
                previous = item;
            }
            Link(previous, boxes[to]);
            chains[e] = chain;
        }

        var columns = Enumerable.Range(0, columnCount).Select(_ => new List<LayoutItem>()).ToArray();
        foreach (LayoutItem box in boxes) columns[box.Column].Add(box);
        foreach (LayoutItem item in chains.SelectMany(c => c)) columns[item.Column].Add(item);
        for (int c = 0; c < columnCount; c++)
            columns[c] = [.. columns[c].OrderBy(i => i.State >= 0 ? i.State : edges[i.Edge].To).ThenBy(i => i.Edge)];

        Order(columns);
        Place(columns);

        // Ports: arrows into a box end PortSpacing apart, arrows out of it start a little apart, both in the order of
        // the items they come from or go to, so they do not cross at the box.
        var startY = new double[edges.Count];
        var endY = new double[edges.Count];
        for (int v = 0; v < states; v++)
        {
            LayoutItem box = boxes[v];
            var into = Enumerable.Range(0, edges.Count).Where(e => edges[e].To == v)
                .OrderBy(e => (chains[e].Count > 0 ? chains[e][^1] : boxes[edges[e].From]).Y).ThenBy(e => e).ToList();
            for (int i = 0; i < into.Count; i++) endY[into[i]] = box.Y + (i - (into.Count - 1) / 2.0) * PortSpacing;
            var outOf = Enumerable.Range(0, edges.Count).Where(e => edges[e].From == v)
                .OrderBy(e => (chains[e].Count > 0 ? chains[e][0] : boxes[edges[e].To]).Y).ThenBy(e => e).ToList();
            double spread = outOf.Count > 1 ? Math.Min(8, (box.Height - 14) / (outOf.Count - 1)) : 0;
            for (int i = 0; i < outOf.Count; i++) startY[outOf[i]] = box.Y + (i - (outOf.Count - 1) / 2.0) * spread;
        }

        // Columns left to right; a gap grows with the height the curves in it climb, so none is steep.
        var widths = columns.Select(col => col.Count == 0 ? 0 : col.Max(i => i.Width)).ToArray();
        var left = new double[columnCount];
        var right = new double[columnCount];
        double x = Margin;
        for (int c = 0; c < columnCount; c++)
        {
            left[c] = x;
            right[c] = x + widths[c];
            if (c + 1 < columnCount)
            {
                double climb = columns[c].SelectMany(a => a.Next.Select(b => Math.Abs(b.Y - a.Y))).DefaultIfEmpty(0).Max();
                double gap = Math.Clamp(0.45 * climb, MinGap, MaxGap);
                // A column of lanes only is no obstacle (curves pass over it): the two gaps around it make one.
                x = right[c] + (widths[c] <= 0 || widths[c + 1] <= 0 ? gap * 0.6 : gap);
            }
        }
        double Center(int c) => (left[c] + right[c]) / 2;

        // Vertical extent, then everything moved below the caption.
        double top = double.MaxValue, bottom = double.MinValue;
        foreach (LayoutItem item in columns.SelectMany(c => c))
        {
            top = Math.Min(top, item.Y - item.Height / 2);
            bottom = Math.Max(bottom, item.Y + item.Height / 2);
        }
        double dy = Margin + TitleBand - top;

        var boxList = boxes.Select(b => new CellBox(b.Text!, b.State < 2 ? CellBoxKind.Input : b.State == output ? CellBoxKind.Output : CellBoxKind.Node,
            DiagramRect.Around(new(Center(b.Column), b.Y + dy), b.Width, b.Height))).ToList();
        var edgeList = new List<CellEdge>();
        for (int e = 0; e < edges.Count; e++)
        {
            (int from, int to, string? op) = edges[e];
            DiagramRect source = boxList[from].Bounds, target = boxList[to].Bounds;
            var path = new List<CubicSegment>();
            var at = new DiagramPoint(source.Right, startY[e] + dy);
            void LineTo(DiagramPoint p)
            {
                if (p.X > at.X + 1e-9) path.Add(CubicSegment.Line(at, p));
                at = p;
            }
            void CurveTo(DiagramPoint p)
            {
                path.Add(CubicSegment.Horizontal(at, p));
                at = p;
            }
            LineTo(new(right[boxes[from].Column], at.Y));
            DiagramRect? label = null;
            foreach (LayoutItem item in chains[e])
            {
                if (widths[item.Column] <= 0) continue; // a column of lanes only: the curve passes straight over it
                CurveTo(new(left[item.Column], item.Y + dy));
                LineTo(new(right[item.Column], item.Y + dy));
                if (item.Text is not null) label = DiagramRect.Around(new(Center(item.Column), item.Y + dy), item.Width, item.Height);
            }
            var tip = new DiagramPoint(target.Left - 0.5, endY[e] + dy);
            var back = new DiagramPoint(tip.X - ArrowLength, tip.Y);
            double lead = Math.Min(left[boxes[to].Column], back.X);
            CurveTo(new(lead, tip.Y));
            LineTo(back);
            var arrow = new Arrowhead(tip, new(back.X, back.Y - ArrowHalfWidth), new(back.X, back.Y + ArrowHalfWidth));
            edgeList.Add(new CellEdge(boxList[from].Name, boxList[to].Name, op, op is null ? Colours.Concat : Colours.Operation(op), path, arrow, label));
        }

        double width = right[columnCount - 1] + Margin;
        double height = bottom - top + TitleBand + 2 * Margin;
        double titleWidth = TextMeasure.Width(cell == CellType.Normal ? "normal cell" : "reduction cell", TitleFontSize, bold: true);
        return new CellLayout(cell == CellType.Normal ? "normal cell" : "reduction cell", Math.Ceiling(Math.Max(width, titleWidth + 2 * Margin)),
            Math.Ceiling(height), boxList, edgeList);
    }

    private static void Link(LayoutItem from, LayoutItem to)
    {
        from.Next.Add(to);
        to.Previous.Add(from);
    }

    /// <summary>Orders the items of each column to reduce crossings (barycentre sweeps; the inputs stay in order).</summary>
    private static void Order(List<LayoutItem>[] columns)
    {
        void Number()
        {
            foreach (List<LayoutItem> column in columns)
                for (int i = 0; i < column.Count; i++) column[i].Order = i;
        }
        int Crossings()
        {
            int count = 0;
            foreach (List<LayoutItem> column in columns)
            {
                var links = column.SelectMany(a => a.Next.Select(b => (A: a.Order, B: b.Order))).ToList();
                for (int i = 0; i < links.Count; i++)
                    for (int j = i + 1; j < links.Count; j++)
                        if ((links[i].A - links[j].A) * (links[i].B - links[j].B) < 0) count++;
            }
            return count;
        }
        void Sort(int c, Func<LayoutItem, List<LayoutItem>> neighbours) =>
            columns[c] = [.. columns[c].OrderBy(i => neighbours(i).Count == 0 ? i.Order : neighbours(i).Average(n => n.Order)).ThenBy(i => i.Order)];

        Number();
        int best = Crossings();
        var bestOrder = columns.Select(c => c.ToList()).ToArray();
        for (int sweep = 0; sweep < 8 && best > 0; sweep++)
        {
            for (int c = 1; c < columns.Length; c++)
            {
                Sort(c, i => i.Previous);
                Number();
            }
            for (int c = columns.Length - 2; c >= 1; c--)
            {
                Sort(c, i => i.Next);
                Number();
            }
            int crossings = Crossings();
            if (crossings < best)
            {
                best = crossings;
                bestOrder = columns.Select(c => c.ToList()).ToArray();
            }
        }
        for (int c = 0; c < columns.Length; c++) columns[c] = bestOrder[c];
        Number();
    }

    /// <summary>
    /// Vertical positions: each item pulled towards the mean of its neighbours, then the column's items pushed apart
    /// just enough for their gaps, keeping their order (an exact least-squares projection: pool adjacent violators).
    /// </summary>
    private static void Place(List<LayoutItem>[] columns)
    {
        foreach (List<LayoutItem> column in columns)
        {
            double y = 0;
            for (int i = 0; i < column.Count; i++)
            {
                if (i > 0) y += Separation(column[i - 1], column[i]);
                column[i].Y = y;
            }
            foreach (LayoutItem item in column) item.Y -= y / 2;
        }
        for (int round = 0; round < 60; round++)
        {
            IEnumerable<int> order = round % 2 == 0 ? Enumerable.Range(0, columns.Length) : Enumerable.Range(0, columns.Length).Reverse();
            foreach (int c in order)
            {
                List<LayoutItem> column = columns[c];
                if (column.Count == 0) continue;
                var desired = column.Select(i => i.Previous.Count + i.Next.Count == 0 ? i.Y : i.Previous.Concat(i.Next).Average(n => n.Y)).ToArray();
                Project(column, desired);
            }
        }
    }

    /// <summary>Sets the column's positions to the ordered positions nearest <paramref name="desired"/> that keep every gap.</summary>
    private static void Project(List<LayoutItem> column, double[] desired)
    {
        int n = column.Count;
        var offset = new double[n];
        for (int i = 1; i < n; i++) offset[i] = offset[i - 1] + Separation(column[i - 1], column[i]);
        // Isotonic regression of desired - offset: blocks of (sum, count), merged while out of order.
        var sums = new List<double>();
        var counts = new List<int>();
        for (int i = 0; i < n; i++)
        {
            sums.Add(desired[i] - offset[i]);
            counts.Add(1);
            while (sums.Count > 1 && sums[^2] / counts[^2] > sums[^1] / counts[^1])
            {
                sums[^2] += sums[^1];
                counts[^2] += counts[^1];
                sums.RemoveAt(sums.Count - 1);
                counts.RemoveAt(counts.Count - 1);
            }
        }
        int k = 0;
        for (int b = 0; b < sums.Count; b++)
            for (int j = 0; j < counts[b]; j++, k++) column[k].Y = sums[b] / counts[b] + offset[k];
    }

    /// <summary>Distance between the centres of two neighbours in a column.</summary>
    private static double Separation(LayoutItem a, LayoutItem b)
    {
        double gap = (a.State >= 0, b.State >= 0) switch
        {
            (true, true) => 22,
            _ when a.Text is null || b.Text is null => 10,
            (true, false) or (false, true) => 14,
            _ => 8,
        };
        return (a.Height + b.Height) / 2 + gap;
    }
}
