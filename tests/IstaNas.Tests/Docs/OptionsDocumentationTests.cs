using System.Reflection;
using IstaNas.Evaluation;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;

namespace IstaNas.Tests.Docs;

/// <summary>docs/options.md must list every option of every options class, in that class's section.</summary>
public class OptionsDocumentationTests
{
    public static TheoryData<Type> OptionTypes() =>
        new(typeof(SearchSpaceOptions), typeof(SparseCoderOptions), typeof(TrainingOptions), typeof(SearchTrainingOptions), typeof(TwoStageOptions),
            typeof(OneStageOptions), typeof(DartsOptions), typeof(RandomOptions), typeof(EvaluationOptions), typeof(IstaNas.Quality.ConsistencyOptions));

    [Theory]
    [MemberData(nameof(OptionTypes))]
    public void EveryOptionIsDocumented(Type type)
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "options.md"));
        int start = doc.IndexOf($"## {type.Name}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/options.md has no section for {type.Name}");
        int end = doc.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        string section = end < 0 ? doc[start..] : doc[start..end];
        // Options a derived class inherits are documented under its base class.
        var own = type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(p => p.CanWrite);
        foreach (PropertyInfo p in own)
            Assert.True(section.Contains($"| `{p.Name}` |", StringComparison.Ordinal), $"{type.Name}.{p.Name} is missing from docs/options.md");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IstaNas.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No IstaNas.sln above {AppContext.BaseDirectory}.");
    }
}
