using System.Xml.Linq;
using IstaNas.Architecture;
using IstaNas.Visualization;

namespace IstaNas.Tests.Visualization;

public class CellDiagramTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static TheoryData<string, CellType> Cases()
    {
        var data = new TheoryData<string, CellType>();
        foreach (string name in KnownGenotypes.Names)
        {
            data.Add(name, CellType.Normal);
            data.Add(name, CellType.Reduce);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SvgIsValidXmlWithOneLabelledEdgePerPairAndEveryNode(string name, CellType cell)
    {
        Genotype g = KnownGenotypes.Get(name);
        XDocument doc = XDocument.Parse(CellDiagram.ToSvg(g, cell));
        Assert.Equal(Svg + "svg", doc.Root!.Name);

        string[] nodeIds = doc.Descendants(Svg + "g").Where(e => (string?)e.Attribute("class") == "node")
            .Select(e => (string)e.Attribute("data-id")!).ToArray();
        Assert.Equal(["c_{k-2}", "c_{k-1}", "0", "1", "2", "3", "c_{k}"], nodeIds);

        var opEdges = doc.Descendants(Svg + "g")
            .Where(e => (string?)e.Attribute("class") == "edge" && e.Attribute("data-op") is not null)
            .Select(e => ((string)e.Attribute("data-from")!, (string)e.Attribute("data-to")!, (string)e.Attribute("data-op")!))
            .ToArray();
        var expected = g.Cell(cell).Select((e, k) =>
            (e.Input switch { 0 => "c_{k-2}", 1 => "c_{k-1}", _ => (e.Input - 2).ToString() }, (k / 2).ToString(), e.Operation)).ToArray();
        Assert.Equal(expected, opEdges);

        string[] labels = doc.Descendants(Svg + "g").Where(e => (string?)e.Attribute("class") == "label")
            .Select(e => e.Element(Svg + "text")!.Value).ToArray();
        Assert.Equal(g.Cell(cell).Select(e => e.Operation), labels);

        int concatEdges = doc.Descendants(Svg + "g").Count(e =>
            (string?)e.Attribute("class") == "edge" && e.Attribute("data-op") is null && (string?)e.Attribute("data-to") == "c_{k}");
        Assert.Equal(g.Concat(cell).Count, concatEdges);
    }

    [Fact]
    public void LayoutKeepsEverythingInsideTheCanvasAndInputsLeftOfNodesLeftOfOutput()
    {
        CellLayout layout = CellLayout.Create(KnownGenotypes.DartsV2, CellType.Normal);
        foreach (DiagramNode n in layout.Nodes)
        {
            Assert.InRange(n.Center.X - n.Width / 2, 0, layout.Width);
            Assert.InRange(n.Center.X + n.Width / 2, 0, layout.Width);
            Assert.InRange(n.Center.Y - n.Height / 2, 0, layout.Height);
            Assert.InRange(n.Center.Y + n.Height / 2, 0, layout.Height);
        }
        foreach (DiagramEdge e in layout.Edges)
            for (int s = 0; s <= 10; s++)
            {
                Assert.InRange(e.PointAt(s / 10.0).X, 0, layout.Width);
                Assert.InRange(e.PointAt(s / 10.0).Y, 0, layout.Height);
            }
        double[] xs = layout.Nodes.Select(n => n.Center.X).ToArray();
        Assert.Equal(xs[0], xs[1]);
        for (int i = 2; i < xs.Length; i++) Assert.True(xs[i] > xs[i - 1]);
    }

    [Fact]
    public void RepeatedPairsGetDistinctCurves()
    {
        var same = new[] { new GenotypeEdge(Operations.SepConv3x3, 0), new GenotypeEdge(Operations.MaxPool3x3, 0) };
        var g = new Genotype(same, same, edgesPerNode: 2);
        CellLayout layout = CellLayout.Create(g, CellType.Normal);
        Assert.NotEqual(layout.Edges[0].Middle, layout.Edges[1].Middle);
        Assert.True(Math.Abs(layout.Edges[0].Middle.Y - layout.Edges[1].Middle.Y) >= CellLayout.LabelHeight);
    }

    [Fact]
    public void SaveWritesBothCells()
    {
        string dir = Path.Combine(Path.GetTempPath(), "istanas-svg-" + Guid.NewGuid().ToString("N"));
        try
        {
            IReadOnlyList<string> files = CellDiagram.Save(KnownGenotypes.IstaTwoStage, dir);
            Assert.Equal([Path.Combine(dir, "normal.svg"), Path.Combine(dir, "reduce.svg")], files);
            Assert.Contains("normal cell", File.ReadAllText(files[0]));
            Assert.Contains("reduction cell", File.ReadAllText(files[1]));
            Assert.Equal(2, Directory.GetFiles(dir).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
