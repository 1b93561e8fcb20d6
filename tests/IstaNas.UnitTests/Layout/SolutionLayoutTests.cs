using System.Text.RegularExpressions;
using System.Xml.Linq;
using IstaNas.OptionsReference;

namespace IstaNas.Tests.Layout;

/// <summary>
/// The repository's projects as the solution builds them: every project under src/, samples/, tests/, tools/ and
/// benchmarks/ is in IstaNas.sln (so CI builds every sample), each entry of it is well formed, and the CLI is the packed
/// .NET tool <c>istanas</c> under src/ whose namespace is its folder's.
/// </summary>
public partial class SolutionLayoutTests
{
    private static readonly string Root = OptionsDocument.RepositoryRoot();

    [Fact]
    public void EveryProjectIsInTheSolutionAndEveryEntryIsClosed()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Root, "IstaNas.sln"));
        var listed = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            Match m = ProjectLine().Match(lines[i]);
            if (!m.Success) continue;
            Assert.True(i + 1 < lines.Length && lines[i + 1].Trim() == "EndProject", $"IstaNas.sln line {i + 1} ({m.Groups[1].Value}) is not followed by EndProject.");
            if (m.Groups[2].Value.EndsWith(".csproj", StringComparison.Ordinal)) listed.Add(m.Groups[2].Value.Replace('\\', '/'));
        }

        foreach (string folder in new[] { "src", "samples", "tests", "tools", "benchmarks" })
        {
            foreach (string project in Directory.EnumerateFiles(Path.Combine(Root, folder), "*.csproj", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(Root, project).Replace('\\', '/');
                Assert.True(listed.Contains(relative), $"{relative} is not in IstaNas.sln, so the solution's build (CI) skips it.");
            }
        }

        foreach (string project in listed)
            Assert.True(File.Exists(Path.Combine(Root, project)), $"IstaNas.sln lists {project}, which does not exist.");
    }

    [Fact]
    public void TheCliIsThePackedToolIstanasInNamespaceIstaNasCli()
    {
        string folder = Path.Combine(Root, "src", "IstaNas.Cli");
        XElement[] properties = XDocument.Load(Path.Combine(folder, "IstaNas.Cli.csproj")).Descendants("PropertyGroup").Elements().ToArray();
        string Property(string name) => properties.LastOrDefault(e => e.Name.LocalName == name)?.Value ?? string.Empty;
        Assert.Equal("true", Property("PackAsTool"));
        Assert.Equal("istanas", Property("ToolCommandName"));
        Assert.Equal("IstaNas.Cli", Property("PackageId"));
        Assert.Equal("IstaNas.Cli", Property("RootNamespace"));
        Assert.False(File.Exists(Path.Combine(Root, "samples", "IstaNas.Sample", "IstaNas.Sample.csproj")), "samples/IstaNas.Sample is back: the CLI lives in src/IstaNas.Cli.");

        foreach (string file in Directory.EnumerateFiles(folder, "*.cs"))
        {
            string text = File.ReadAllText(file);
            if (Path.GetFileName(file) == "Program.cs") continue; // top-level statements
            Assert.True(NamespaceOf().Match(text).Groups[1].Value == "IstaNas.Cli", $"{Path.GetFileName(file)} is not in namespace IstaNas.Cli.");
        }
    }

    [GeneratedRegex(@"^Project\(""\{[0-9A-F-]+\}""\) = ""([^""]+)"", ""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectLine();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceOf();
}
