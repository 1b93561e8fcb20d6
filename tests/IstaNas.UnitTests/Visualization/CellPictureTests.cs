using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using IstaNas.Architecture;
using IstaNas.IO;
using IstaNas.Visualization;
using IstaNas.Visualization.Cells;

namespace IstaNas.Tests.Visualization;

/// <summary>The public cell pictures: valid PNG, SVG and DOT, with the layout's size and the genotype's names.</summary>
public sealed class CellPictureTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "istanas-cells-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, CellType> Known()
    {
        var data = new TheoryData<string, CellType>();
        foreach (string name in Genotype.KnownNames.Append("parallel"))
        {
            data.Add(name, CellType.Normal);
            data.Add(name, CellType.Reduce);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Known))]
    public void PngIsAValidImageOfTheLayoutsSizeWithText(string name, CellType cell)
    {
        Genotype g = CellCases.Get(name);
        PngReader.Image image = PngReader.Decode(CellPicture.ToPng(g, cell));
        Assert.Equal(CellPng.ImageSize(CellLayout.Create(g, cell)), (image.Width, image.Height));
        // Anti-aliased text and curves in eight operation colours: far more than a handful of colours.
        Assert.True(image.DistinctColours() > 200, $"{name} {cell}: only {image.DistinctColours()} colours.");
        Assert.Equal((255, 255, 255), ((int)image[1, 1].R, (int)image[1, 1].G, (int)image[1, 1].B));
    }

    [Theory]
    [MemberData(nameof(Known))]
    public void SvgIsValidXmlWithTheLayoutsSizeNamesAndOneLabelledEdgePerPair(string name, CellType cell)
    {
        Genotype g = CellCases.Get(name);
        CellLayout layout = CellLayout.Create(g, cell);
        XDocument doc = XDocument.Parse(CellPicture.ToSvg(g, cell));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal(layout.Width, double.Parse((string)doc.Root.Attribute("width")!, CultureInfo.InvariantCulture));
        Assert.Equal(layout.Height, double.Parse((string)doc.Root.Attribute("height")!, CultureInfo.InvariantCulture));

        XElement[] groups = doc.Descendants(Svg + "g").ToArray();
        string[] nodes = groups.Where(e => (string?)e.Attribute("class") == "node").Select(e => e.Element(Svg + "text")!.Value).ToArray();
        Assert.Equal(["c_{k-2}", "c_{k-1}", "n0", "n1", "n2", "n3", "c_{k}"], nodes);

        var edges = groups.Where(e => (string?)e.Attribute("class") == "edge" && e.Attribute("data-op") is not null)
            .Select(e => ((string)e.Attribute("data-from")!, (string)e.Attribute("data-to")!, (string)e.Attribute("data-op")!)).ToArray();
        var expected = g.Cell(cell).Select((e, k) => (GenotypeEdge.InputName(e.Input), $"n{k / 2}", e.Operation)).ToArray();
        Assert.Equal(expected, edges);
        Assert.All(groups.Where(e => (string?)e.Attribute("class") == "edge"), e =>
        {
            Assert.StartsWith("M ", (string)e.Element(Svg + "path")!.Attribute("d")!, StringComparison.Ordinal);
            Assert.NotNull(e.Element(Svg + "polygon"));
        });
        string[] labels = groups.Where(e => (string?)e.Attribute("class") == "label").Select(e => e.Element(Svg + "text")!.Value).ToArray();
        Assert.Equal(g.Cell(cell).Select(e => e.Operation), labels);
        Assert.Equal(g.Concat(cell).Count, groups.Count(e => (string?)e.Attribute("class") == "edge" && e.Attribute("data-op") is null));
    }

    [Theory]
    [MemberData(nameof(Known))]
    public void DotHasEveryNodeAndEveryEdgeParallelOnesIncluded(string name, CellType cell)
    {
        Genotype g = CellCases.Get(name);
        string dot = CellPicture.ToDot(g, cell);
        Assert.StartsWith("digraph \"", dot, StringComparison.Ordinal);
        string unquoted = Regex.Replace(dot, "\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
        Assert.Equal(unquoted.Count(c => c == '{'), unquoted.Count(c => c == '}'));
        Assert.DoesNotContain("c_{", unquoted, StringComparison.Ordinal); // every name is quoted
        Assert.EndsWith("}\n", dot, StringComparison.Ordinal);
        foreach (string node in new[] { "c_{k-2}", "c_{k-1}", "n0", "n1", "n2", "n3", "c_{k}" })
            Assert.Matches($"(?m)^  \"{Regex.Escape(node)}\" \\[fillcolor=", dot);
        var arrows = Regex.Matches(dot, "(?m)^  \"(?<from>[^\"]+)\" -> \"(?<to>[^\"]+)\"(?: \\[label=\"(?<op>[^\"]+)\")?")
            .Select(m => (m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["op"].Success ? m.Groups["op"].Value : null)).ToArray();
        var expected = g.Cell(cell).Select((e, k) => (GenotypeEdge.InputName(e.Input), $"n{k / 2}", (string?)e.Operation))
            .Concat(g.Concat(cell).Select(s => (GenotypeEdge.InputName(s), "c_{k}", (string?)null))).ToArray();
        Assert.Equal(expected, arrows);
    }

    [Fact]
    public void DotQuotesUnusualOperationNames()
    {
        Assert.Equal("\"a\\\"b\\\\c\"", CellDot.Quote("a\"b\\c"));
    }

    [Fact]
    public void WriteWritesSixFilesAtomically()
    {
        SavedFiles saved = CellPicture.Write(_dir, Genotype.DartsV2);
        Assert.True(saved.AllWritten);
        Assert.Equal(["normal.png", "normal.svg", "normal.dot", "reduce.png", "reduce.svg", "reduce.dot"], saved.Written.Select(Path.GetFileName));
        Assert.Equal(saved.Written.Order(StringComparer.Ordinal), Directory.GetFiles(_dir).Order(StringComparer.Ordinal)); // no temporary files left
        Assert.Contains("reduction cell", File.ReadAllText(Path.Combine(_dir, "reduce.svg")), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatCannotBeWrittenIsReportedAndTheOthersAreStillWritten()
    {
        string failing = Path.GetFullPath(Path.Combine(_dir, "normal.svg"));
        Func<string, bool>? previous = AtomicFile.FailWritesForTesting;
        AtomicFile.FailWritesForTesting = path => path == failing || (previous?.Invoke(path) ?? false);
        try
        {
            SavedFiles saved = CellPicture.Write(_dir, Genotype.IstaOneStage);
            FileFailure failure = Assert.Single(saved.Failed);
            Assert.Equal(failing, failure.Path);
            Assert.Contains("Injected", failure.Reason, StringComparison.Ordinal);
            Assert.Equal(5, saved.Written.Count);
            Assert.False(File.Exists(failing));
        }
        finally
        {
            AtomicFile.FailWritesForTesting = previous;
        }
    }
}
