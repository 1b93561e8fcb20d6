// The README's "Your own model with choices" block is this file's regions between "// readme:begin" and "// readme:end",
// in order (usings, the program's statements, the model); a test checks README.md against them and runs them.
#pragma warning disable IDE0005 // README's usings, as a top-level program needs them
// readme:begin
using IstaNas;
using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using IstaNas.Strategies;
using static TorchSharp.torch;
// readme:end
#pragma warning restore IDE0005

namespace IstaNas.Tests.Choices;

/// <summary>README's C# block of a user's model with choices compiles (it is this file) and runs on tiny data.</summary>
[Collection(IstaNas.Tests.Strategies.GlobalRandomCollection.Name)] // runs alone: it changes the current directory for the block's relative file
public sealed partial class ReadmeSnippetTests : IDisposable
{
    private const string Begin = "// readme:begin";
    private const string End = "// readme:end";

    private readonly string _dir = Directory.CreateTempSubdirectory("istanas-readme").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReadmesModelWithChoicesBlockIsThisFilesCode()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string source = File.ReadAllText(Path.Combine(root, "tests/IstaNas.SearchTests/Choices/ReadmeSnippetTests.cs"));
        System.Text.RegularExpressions.Match block = ReadmeBlock().Match(readme);
        Assert.True(block.Success, "README.md has no C# block after '### Your own model with choices'.");
        var regions = new List<string>();
        List<string>? region = null;
        foreach (string line in source.Split('\n'))
        {
            if (line.Trim() == Begin) region = [];
            else if (line.Trim() == End && region is not null) (regions, region) = ([.. regions, string.Join('\n', region)], null);
            else region?.Add(line);
        }
        Assert.Equal(3, regions.Count);
        Assert.Equal(Normalized(string.Join('\n', regions)), Normalized(block.Groups[1].Value));
    }

    [Fact]
    public void ReadmesModelWithChoicesBlockRunsOnTinyData()
    {
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _dir;
        try
        {
            // readme:begin
            SearchResult r = new SearchBuilder()
                .UseSyntheticDataset(256)                                   // small, to try it; your data with UseTensors or UseImageFolder
                .UseSpace(() => new MyNet())
                .UseTwoStage(o => { o.Epochs = 2; o.BatchSize = 32; })
                .UseSeed(1)
                .Build()
                .Run();
            r.Architecture!.Save("architecture.json");                      // choice name -> picked candidates (+ |z|)
            using MyNet fixedNet = r.Architecture.Fix(new MyNet());          // runs only the picks
            // readme:end

            Assert.Equal(2, r.History.Count);
            Assert.Equal(["block", "read"], IstaNas.Choices.Architecture.Load(Path.Combine(_dir, "architecture.json")).Choices.Select(c => c.Name));
            using Tensor logits = fixedNet.forward(zeros(2, 3, 32, 32));
            Assert.Equal([2L, 10L], logits.shape);
            IstaNas.Evaluation.Onnx.ModuleOnnxExporter.Export(fixedNet, [3, 32, 32], Path.Combine(_dir, "mynet.onnx")); // through its IOnnxForward
            using (var session = IstaNas.Tests.Evaluation.OnnxTestHelpers.Session(Path.Combine(_dir, "mynet.onnx")))
                Assert.Single(session.OutputMetadata);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IstaNas.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No IstaNas.sln above {AppContext.BaseDirectory}.");
    }

    private static string Normalized(string code) => Whitespace().Replace(code, " ").Trim();

    [System.Text.RegularExpressions.GeneratedRegex(@"### Your own model with choices.*?```csharp\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex ReadmeBlock();

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")]
    private static partial System.Text.RegularExpressions.Regex Whitespace();
}

// readme:begin
internal sealed class MyNet : nn.Module<Tensor, Tensor>, IOnnxForward   // IOnnxForward: exportable to ONNX
{
    private readonly nn.Module<Tensor, Tensor> stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding: 1), nn.BatchNorm2d(16), nn.ReLU());
    private readonly Choice block = Choice.Of("block", picks: 1, Conv(3), Conv(5), nn.Identity());   // which operation
    private readonly Choice read = Choice.OverInputs("read", picks: 1, (0, nn.Identity()), (1, nn.Identity()))   // which input
        .NormalizedBy(nn.BatchNorm2d(16, affine: false));
    private readonly nn.Module<Tensor, Tensor> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10));

    public MyNet()
        : base(nameof(MyNet)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor s = stem.call(x), b = block.call(s);
        return head.call(read.forward([s, b])).MoveToOuterDisposeScope();
    }

    public string WriteOnnx(OnnxForwardWriter writer, string input)   // the same forward, for ONNX export
    {
        string s = writer.Write(stem, input), b = writer.Write(block, s);
        return writer.Write(head, writer.Write(read, [s, b]));
    }

    private static nn.Module<Tensor, Tensor> Conv(int k) => nn.Sequential(nn.Conv2d(16, 16, k, padding: k / 2), nn.BatchNorm2d(16), nn.ReLU());
}
// readme:end
