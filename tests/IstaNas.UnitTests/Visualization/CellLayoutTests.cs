using IstaNas.Architecture;
using IstaNas.Visualization.Cells;

namespace IstaNas.Tests.Visualization;

/// <summary>The geometry of the cell pictures (what the PNG and SVG draw), checked on the layout, not on pixels.</summary>
public class CellLayoutTests
{
    public static TheoryData<string, CellType> Cases() => CellCases.Data();

    [Theory]
    [MemberData(nameof(Cases))]
    public void NoLabelOverlapsAnotherLabelOrABox(string name, CellType cell)
    {
        CellLayout layout = CellLayout.Create(CellCases.Get(name), cell);
        DiagramRect[] labels = layout.Edges.Where(e => e.Label is not null).Select(e => e.Label!.Value).ToArray();
        DiagramRect[] boxes = layout.Boxes.Select(b => b.Bounds).ToArray();
        Assert.Equal(layout.Edges.Count(e => e.Operation is not null), labels.Length);
        for (int i = 0; i < labels.Length; i++)
        {
            for (int j = i + 1; j < labels.Length; j++)
                Assert.False(labels[i].Overlaps(labels[j]), $"{name} {cell}: labels {i} and {j} overlap ({labels[i]} / {labels[j]}).");
            foreach (DiagramRect box in boxes)
                Assert.False(labels[i].Overlaps(box), $"{name} {cell}: label {i} overlaps a box.");
        }
        for (int i = 0; i < boxes.Length; i++)
            for (int j = i + 1; j < boxes.Length; j++)
                Assert.False(boxes[i].Overlaps(boxes[j]), $"{name} {cell}: boxes {layout.Boxes[i].Name} and {layout.Boxes[j].Name} overlap.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EdgesRunThroughTheirOwnLabelAndNoOtherLabelOrBox(string name, CellType cell)
    {
        CellLayout layout = CellLayout.Create(CellCases.Get(name), cell);
        foreach (CellEdge edge in layout.Edges)
        {
            IReadOnlyList<DiagramPoint> points = Dense(edge);
            foreach (CellBox box in layout.Boxes)
                Assert.DoesNotContain(points, p => box.Bounds.Contains(p));
            foreach (CellEdge other in layout.Edges.Where(o => o != edge && o.Label is not null))
                Assert.DoesNotContain(points, p => other.Label!.Value.Contains(p));
            Assert.False(layout.Boxes.Any(b => b.Bounds.Overlaps(edge.Arrow.Bounds)), $"{name} {cell}: an arrowhead overlaps a box.");
            if (edge.Label is DiagramRect label)
            {
                // The curve crosses its label horizontally through the label's centre.
                Assert.Contains(points, p => Math.Abs(p.Y - label.Center.Y) < 1e-6 && p.X <= label.Left);
                Assert.Contains(points, p => Math.Abs(p.Y - label.Center.Y) < 1e-6 && p.X >= label.Right);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryArrowIntoABoxHasItsOwnArrowhead(string name, CellType cell)
    {
        CellLayout layout = CellLayout.Create(CellCases.Get(name), cell);
        foreach (var into in layout.Edges.GroupBy(e => e.To))
        {
            CellEdge[] edges = [.. into];
            CellBox target = layout.Boxes.Single(b => b.Name == into.Key);
            for (int i = 0; i < edges.Length; i++)
            {
                Assert.InRange(edges[i].Arrow.Tip.X, target.Bounds.Left - 1, target.Bounds.Left);
                Assert.InRange(edges[i].Arrow.Tip.Y, target.Bounds.Top, target.Bounds.Bottom);
                for (int j = i + 1; j < edges.Length; j++)
                {
                    Assert.False(edges[i].Arrow.Bounds.Overlaps(edges[j].Arrow.Bounds), $"{name} {cell}: two arrowheads into {into.Key} overlap.");
                    Assert.True(Math.Abs(edges[i].Arrow.Tip.Y - edges[j].Arrow.Tip.Y) >= CellLayout.PortSpacing - 1e-9);
                }
            }
        }
    }

    [Theory]
    [InlineData(CellType.Normal)]
    [InlineData(CellType.Reduce)]
    public void ParallelEdgesAreDistinctCurvesWithTheirOwnArrowheadsAndLabels(CellType cell)
    {
        Genotype g = CellCases.Parallel;
        CellLayout layout = CellLayout.Create(g, cell);
        var pairs = g.Cell(cell).Select((e, k) => (From: GenotypeEdge.InputName(e.Input), To: $"n{k / 2}")).ToArray();
        var parallel = pairs.GroupBy(p => p).Where(grp => grp.Count() > 1).Select(grp => grp.Key).ToArray();
        Assert.NotEmpty(parallel);
        foreach (var (from, to) in parallel)
        {
            CellEdge[] edges = layout.Edges.Where(e => e.From == from && e.To == to && e.Operation is not null).ToArray();
            Assert.Equal(2, edges.Length);
            Assert.NotEqual(edges[0].Arrow.Tip, edges[1].Arrow.Tip);
            Assert.False(edges[0].Arrow.Bounds.Overlaps(edges[1].Arrow.Bounds));
            Assert.False(edges[0].Label!.Value.Overlaps(edges[1].Label!.Value));
            // Apart from where they leave the source, the two curves never meet.
            IReadOnlyList<DiagramPoint> a = Dense(edges[0]), b = Dense(edges[1]);
            double start = layout.Boxes.Single(x => x.Name == from).Bounds.Right + 30;
            foreach (DiagramPoint p in a.Where(p => p.X > start))
                Assert.True(b.Where(q => Math.Abs(q.X - p.X) < 2).All(q => Math.Abs(q.Y - p.Y) > 4), $"The parallel edges {from} → {to} touch at x = {p.X}.");
        }
    }

    [Fact]
    public void LabelsOfEdgesLeavingOneInputDoNotPileUp()
    {
        // Eight edges leave c_{k-1}: every label has its own place.
        CellLayout layout = CellLayout.Create(CellCases.OneInput, CellType.Normal);
        Assert.Equal(8, layout.Edges.Count(e => e.From == "c_{k-1}"));
        DiagramRect[] labels = layout.Edges.Where(e => e.From == "c_{k-1}").Select(e => e.Label!.Value).ToArray();
        for (int i = 0; i < labels.Length; i++)
            for (int j = i + 1; j < labels.Length; j++)
                Assert.False(labels[i].Overlaps(labels[j]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void NodeNamesAreThoseOfGenotypeToString(string name, CellType cell)
    {
        Genotype g = CellCases.Get(name);
        CellLayout layout = CellLayout.Create(g, cell);
        string[] expected = ["c_{k-2}", "c_{k-1}", .. Enumerable.Range(0, g.Nodes).Select(j => $"n{j}"), "c_{k}"];
        Assert.Equal(expected, layout.Boxes.Select(b => b.Name));
        string text = g.ToString();
        foreach (CellBox box in layout.Boxes.Where(b => b.Kind == CellBoxKind.Node))
            Assert.Contains($"{box.Name} = ", text, StringComparison.Ordinal);
        // Edge by edge: "n{j} = op(pred) + ..." in the text is an arrow pred → n{j} labelled op in the picture.
        var pictured = layout.Edges.Where(e => e.Operation is not null).Select(e => $"{e.To}:{e.Operation}({e.From})").ToArray();
        var written = Enumerable.Range(0, g.Nodes).SelectMany(j => g.NodeEdges(cell, j).Select(e => $"n{j}:{e}")).ToArray();
        Assert.Equal(written, pictured);
        Assert.All(written, w => Assert.Contains(w[(w.IndexOf(':') + 1)..], text, StringComparison.Ordinal));
        Assert.Equal(g.Concat(cell).Select(GenotypeEdge.InputName), layout.Edges.Where(e => e.Operation is null).Select(e => e.From));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheCanvasFitsTheContent(string name, CellType cell)
    {
        CellLayout layout = CellLayout.Create(CellCases.Get(name), cell);
        var rects = layout.Boxes.Select(b => b.Bounds).Concat(layout.Edges.Where(e => e.Label is not null).Select(e => e.Label!.Value))
            .Concat(layout.Edges.Select(e => e.Arrow.Bounds)).ToList();
        var points = layout.Edges.SelectMany(Dense).ToList();
        double left = Math.Min(rects.Min(r => r.Left), points.Min(p => p.X)), right = Math.Max(rects.Max(r => r.Right), points.Max(p => p.X));
        double top = Math.Min(rects.Min(r => r.Top), points.Min(p => p.Y)), bottom = Math.Max(rects.Max(r => r.Bottom), points.Max(p => p.Y));
        // Everything inside, with no more than the margin around it (and the caption above); a lane is 2 px high.
        Assert.InRange(left, CellLayout.Margin - 1e-6, CellLayout.Margin + 2);
        Assert.InRange(layout.Width - right, CellLayout.Margin - 1e-6, CellLayout.Margin + 2);
        Assert.InRange(layout.Height - bottom, CellLayout.Margin - 1e-6, CellLayout.Margin + 2);
        Assert.InRange(top, layout.TitleAt.Y, layout.TitleAt.Y + 30);
    }

    [Fact]
    public void TheCanvasGrowsWithTheCellInsteadOfAFixedSize()
    {
        CellLayout chain = CellLayout.Create(CellCases.Chain, CellType.Normal);
        CellLayout flat = CellLayout.Create(CellCases.Flat, CellType.Normal);
        CellLayout darts = CellLayout.Create(Genotype.DartsV2, CellType.Normal);
        Assert.True(chain.Width > flat.Width + 300, $"chain {chain.Width} vs flat {flat.Width}");
        Assert.True(flat.Height > chain.Height, $"flat {flat.Height} vs chain {chain.Height}");
        // The pictures users saw were 2204x544, mostly empty; a DARTS cell now fits a screen at 100 %.
        (int width, int height) = CellPng.ImageSize(darts);
        Assert.InRange(width, 500, 1300);
        Assert.InRange(height, 200, 500);
        Assert.Equal(((int)Math.Ceiling(darts.Width * CellPng.Scale), (int)Math.Ceiling(darts.Height * CellPng.Scale)), (width, height));
    }

    [Fact]
    public void InputsAreLeftAndTheOutputRightOfEveryNode()
    {
        foreach ((string name, Genotype g) in CellCases.All())
        {
            CellLayout layout = CellLayout.Create(g, CellType.Reduce);
            CellBox[] inputs = layout.Boxes.Where(b => b.Kind == CellBoxKind.Input).ToArray();
            CellBox output = layout.Boxes.Single(b => b.Kind == CellBoxKind.Output);
            Assert.Equal(inputs[0].Bounds.Left, inputs[1].Bounds.Left);
            Assert.True(inputs[0].Bounds.Top < inputs[1].Bounds.Top, $"{name}: c_{{k-2}} is not above c_{{k-1}}.");
            foreach (CellBox node in layout.Boxes.Where(b => b.Kind == CellBoxKind.Node))
            {
                Assert.True(node.Bounds.Left > inputs[0].Bounds.Right, name);
                Assert.True(node.Bounds.Right < output.Bounds.Left, name);
            }
            // Every edge goes left to right.
            foreach (CellEdge e in layout.Edges)
            {
                IReadOnlyList<DiagramPoint> p = e.Flatten();
                for (int i = 1; i < p.Count; i++) Assert.True(p[i].X >= p[i - 1].X - 1e-9, $"{name}: {e.From} → {e.To} turns back.");
            }
        }
    }

    /// <summary>Points every pixel or so along the edge.</summary>
    private static IReadOnlyList<DiagramPoint> Dense(CellEdge edge)
    {
        var points = new List<DiagramPoint>();
        foreach (CubicSegment s in edge.Path)
        {
            double length = Math.Abs(s.End.X - s.Start.X) + Math.Abs(s.End.Y - s.Start.Y);
            int n = Math.Max(2, (int)Math.Ceiling(length));
            for (int i = 0; i <= n; i++) points.Add(s.PointAt((double)i / n));
        }
        return points;
    }
}
