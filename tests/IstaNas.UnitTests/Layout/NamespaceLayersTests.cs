using System.Text.RegularExpressions;
using IstaNas.OptionsReference;

namespace IstaNas.Tests.Layout;

/// <summary>
/// The core package's layers, read from its source: namespaces equal folders, each layer uses only the layers below it
/// (sparse coding and data know nothing of the project, the search space nothing of networks or training, training
/// pieces sit below strategies and evaluation), and the root namespace holds only the top (the builder).
/// </summary>
public partial class NamespaceLayersTests
{
    /// <summary>What each namespace of src/IstaNas may use besides itself.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["IstaNas.IO"] = [],
        ["IstaNas.Validation"] = [],
        ["IstaNas.Runtime"] = [],
        ["IstaNas.SparseCoding"] = ["IstaNas.Validation"],
        ["IstaNas.Data"] = ["IstaNas.Validation"],
        ["IstaNas.Architecture"] = ["IstaNas.IO"],
        ["IstaNas.Checkpoints"] = ["IstaNas.IO"],
        ["IstaNas.Choices"] = ["IstaNas.Architecture", "IstaNas.IO"],
        ["IstaNas.Networks"] = ["IstaNas.Architecture", "IstaNas.Choices", "IstaNas.Validation"],
        ["IstaNas.Proxies"] = ["IstaNas.Runtime"],
        ["IstaNas.SearchSpace"] = ["IstaNas.Architecture", "IstaNas.SparseCoding", "IstaNas.IO", "IstaNas.Validation"],
        ["IstaNas.Training"] = ["IstaNas.Architecture", "IstaNas.Checkpoints", "IstaNas.Data", "IstaNas.IO", "IstaNas.Networks", "IstaNas.Runtime", "IstaNas.Validation"],
        ["IstaNas.Evaluation"] = ["IstaNas.Architecture", "IstaNas.Checkpoints", "IstaNas.Choices", "IstaNas.Data", "IstaNas.IO", "IstaNas.Networks", "IstaNas.Training", "IstaNas.Validation"],
        ["IstaNas.Spaces"] = ["IstaNas.Data"], // what the benchmark tables share (reading, errors)
        ["IstaNas.Spaces.Macro"] = ["IstaNas.Choices", "IstaNas.Data", "IstaNas.Evaluation", "IstaNas.Spaces"], // Evaluation: its internal ONNX mapping (IOnnxExportable)
        ["IstaNas.Spaces.Nb201"] = ["IstaNas.Choices", "IstaNas.Data", "IstaNas.Networks", "IstaNas.Evaluation", "IstaNas.Spaces"],
        ["IstaNas.Strategies"] =
        [
            "IstaNas.Architecture", "IstaNas.Checkpoints", "IstaNas.Choices", "IstaNas.Data", "IstaNas.Evaluation", "IstaNas.IO", "IstaNas.Networks",
            "IstaNas.SearchSpace", "IstaNas.SparseCoding", "IstaNas.Training", "IstaNas.Validation",
        ],
        ["IstaNas.Quality"] =
        [
            "IstaNas.Architecture", "IstaNas.Checkpoints", "IstaNas.Choices", "IstaNas.Data", "IstaNas.Evaluation", "IstaNas.IO", "IstaNas.Networks",
            "IstaNas.SearchSpace", "IstaNas.SparseCoding", "IstaNas.Strategies", "IstaNas.Training", "IstaNas.Validation",
        ],
    };

    private static IEnumerable<(string File, string Namespace, string Text)> Sources()
    {
        string root = Path.Combine(OptionsDocument.RepositoryRoot(), "src", "IstaNas");
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("build", StringComparison.Ordinal))
                continue;
            string text = File.ReadAllText(file);
            yield return (relative, NamespaceOf().Match(text).Groups[1].Value, text);
        }
    }

    [Fact]
    public void NamespacesEqualFolders()
    {
        foreach (var (file, ns, _) in Sources())
        {
            string folder = Path.GetDirectoryName(file)!.Replace(Path.DirectorySeparatorChar, '.');
            Assert.True(ns == (folder.Length == 0 ? "IstaNas" : $"IstaNas.{folder}"), $"{file} is in namespace {ns}");
        }
    }

    [Fact]
    public void EachLayerUsesOnlyTheLayersBelowIt()
    {
        var types = Sources().Where(s => s.Namespace == "IstaNas").SelectMany(s => TypeNames().Matches(s.Text).Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.Equal(["Search", "SearchBuilder"], types.Order());
        foreach (var (file, ns, text) in Sources().Where(s => s.Namespace != "IstaNas"))
        {
            string layer = Allowed.Keys.Where(k => ns == k || ns.StartsWith(k + ".", StringComparison.Ordinal)).MaxBy(k => k.Length)
                           ?? throw new InvalidOperationException($"{file}: namespace {ns} is in no layer");
            foreach (Match use in Uses().Matches(text))
            {
                string used = use.Groups[1].Value;
                if (used == layer || used.StartsWith(layer + ".", StringComparison.Ordinal)) continue;
                Assert.True(Allowed[layer].Contains(used), $"{file} ({layer}) uses {used}");
            }

            string code = Code(text);
            Assert.False(Regex.IsMatch(code, @"\bSearchBuilder\b|\bnew Search\(|\bSearch\s+\w+\s*[=;,)]"), $"{file} ({layer}) uses the top layer (SearchBuilder, Search)");
        }
    }

    /// <summary>The source without comments and string literals.</summary>
    private static string Code(string text) => Regex.Replace(Regex.Replace(text, @"//.*", string.Empty), "\"(?:[^\"\\\n]|\\.)*\"", "\"\"");

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceOf();

    [GeneratedRegex(@"^(?:public|internal) (?:sealed |static |abstract |partial )*(?:class|record|struct|interface|enum) (\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeNames();

    [GeneratedRegex(@"\b(IstaNas\.(?:IO|Validation|Runtime|SparseCoding|Data|Architecture|Checkpoints|Choices|Networks|SearchSpace|Spaces(?:\.\w+)?|Training|Evaluation|Strategies))\b")]
    private static partial Regex Uses();
}
