using IstaNas.OptionsReference;

namespace IstaNas.Tests.Docs;

/// <summary>docs/options.md is what tools/IstaNas.OptionsReference generates from the options classes and their XML docs.</summary>
public class OptionsDocumentationTests
{
    [Fact]
    public void TheOptionsReferenceIsUpToDate()
    {
        string path = Path.Combine(OptionsDocument.RepositoryRoot(), "docs", "options.md");
        string expected = OptionsDocument.Generate();
        Assert.True(File.ReadAllText(path) == expected,
            "docs/options.md is out of date: run `dotnet run --project tools/IstaNas.OptionsReference -c Release` and commit the result.");
        Assert.Contains("## OneStageOptions", expected);
        Assert.Contains("| `MaxSearchEpochs` | `int?` | null |", expected);
    }
}
