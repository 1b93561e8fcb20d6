using IstaNas.OptionsReference;

namespace IstaNas.Tests.Docs;

/// <summary>
/// docs/concepts.md opens with the paper-to-code table ("Where each step of the paper lives"); every name in it resolves
/// to a type and method of the IstaNas assemblies, declared in the file the row names.
/// </summary>
public class PaperMapTests
{
    /// <summary>The steps the table must cover (a row's first cell contains each).</summary>
    private static readonly string[] RequiredSteps =
    [
        "Compressed search space", "Sparse recovery", "Support and alpha", "Bilevel step", "First-order gradient of b",
        "Final recovery and genotype", "One-stage single-level step", "Freezing rule", "Parameter budget", "BN absorption",
        "Evaluation network", "DARTS baseline", "Random baseline",
    ];

    private static string Concepts() => File.ReadAllText(Path.Combine(OptionsDocument.RepositoryRoot(), "docs", "concepts.md"));

    [Fact]
    public void EveryNameInThePaperMapResolves()
    {
        IReadOnlyList<PaperMap.Row> rows = PaperMap.Parse(Concepts());
        string root = OptionsDocument.RepositoryRoot();
        string[] problems = [.. rows.Select(r => PaperMap.Problem(r, root)).OfType<string>()];
        Assert.True(problems.Length == 0, string.Join(Environment.NewLine, problems));
        Assert.True(rows.Sum(r => r.Names.Count) >= 30, $"The table names only {rows.Sum(r => r.Names.Count)} methods.");
    }

    [Fact]
    public void EveryRowSaysWhereItIsInThePaper()
    {
        IReadOnlyList<PaperMap.Row> rows = PaperMap.Parse(Concepts());
        string[] problems = [.. rows.Select(PaperMap.ReferenceProblem).OfType<string>()];
        Assert.True(problems.Length == 0, string.Join(Environment.NewLine, problems));
        Assert.Contains(rows, r => r.Reference.Contains("Eq. (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "has no paper reference")]
    [InlineData("see the paper", "is not of the form")]
    [InlineData("ISTA-NAS", "is not of the form")]
    [InlineData("ISTA-NAS Eq. 9", "is not of the form")]
    [InlineData("ISTA-NAS §3.x", "is not of the form")]
    [InlineData("ISTA-NAS Alg. 2,Eq. (9)", "is not of the form")]
    [InlineData("code only:", "is not of the form")]
    public void ARowWithoutAPaperReferenceFails(string reference, string expected)
    {
        string markdown = $"# Concepts\n\n{PaperMap.Heading}\n\n| Paper step | {PaperMap.ReferenceColumn} | Equation | Type and method | File |\n|---|---|---|---|---|\n" +
                          $"| Support and alpha on it | ISTA-NAS §4, Eq. (9), Alg. 1 | `x` | `IstaNas.SearchSpace.SupportAlpha.Support` | `src/IstaNas/SearchSpace/SupportAlpha.cs` |\n" +
                          $"| Random baseline | code only: this library | `x` | `IstaNas.SearchSpace.SupportAlpha.Support` | `src/IstaNas/SearchSpace/SupportAlpha.cs` |\n" +
                          $"| Broken step | {reference} | `x` | `IstaNas.SearchSpace.SupportAlpha.Support` | `src/IstaNas/SearchSpace/SupportAlpha.cs` |\n\n## Next\n";
        IReadOnlyList<PaperMap.Row> rows = PaperMap.Parse(markdown);
        Assert.Equal(3, rows.Count);
        Assert.Null(PaperMap.ReferenceProblem(rows[0]));
        Assert.Null(PaperMap.ReferenceProblem(rows[1]));
        string? problem = PaperMap.ReferenceProblem(rows[2]);
        Assert.NotNull(problem);
        Assert.Contains("line 9, row \"Broken step\"", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePaperMapCoversEveryStepAndOpensThePage()
    {
        string text = Concepts();
        IReadOnlyList<PaperMap.Row> rows = PaperMap.Parse(text);
        string[] missing = [.. RequiredSteps.Where(step => !rows.Any(r => r.Step.Contains(step, StringComparison.Ordinal)))];
        Assert.True(missing.Length == 0, $"docs/concepts.md's paper map has no row for: {string.Join(", ", missing)}.");
        int firstSection = text.IndexOf("\n## ", StringComparison.Ordinal);
        Assert.Equal(text.IndexOf("\n" + PaperMap.Heading, StringComparison.Ordinal), firstSection);
    }

    [Theory]
    [InlineData("`IstaNas.SearchSpace.NoSuchType.Weights`", "`src/IstaNas/SearchSpace/SupportAlpha.cs`", "no type IstaNas.SearchSpace.NoSuchType")]
    [InlineData("`IstaNas.SearchSpace.SupportAlpha.NoSuchMethod`", "`src/IstaNas/SearchSpace/SupportAlpha.cs`", "declares no method NoSuchMethod")]
    [InlineData("`IstaNas.Strategies.OneStageRun.NoSuchNested.Step`", "`src/IstaNas/Strategies/OneStageRun.cs`", "has no nested type NoSuchNested")]
    [InlineData("`IstaNas.SearchSpace.SupportAlpha.Weights`", "`src/IstaNas/SearchSpace/CompressedSearchSpace.cs`", "declares SupportAlpha and Weights")]
    [InlineData("`IstaNas.SearchSpace.SupportAlpha.Weights`", "`src/IstaNas/SearchSpace/NoSuchFile.cs`", "declares SupportAlpha and Weights")]
    [InlineData("`SupportAlpha.Weights`", "`src/IstaNas/SearchSpace/SupportAlpha.cs`", "not of the form")]
    [InlineData("alpha", "`src/IstaNas/SearchSpace/SupportAlpha.cs`", "names no type and method")]
    public void AWrongNameFailsWithItsRow(string names, string files, string expected)
    {
        string markdown = $"# Concepts\n\n{PaperMap.Heading}\n\n| Paper step | {PaperMap.ReferenceColumn} | Equation | Type and method | File |\n|---|---|---|---|---|\n" +
                          $"| Support and alpha on it | ISTA-NAS method | `\\|z\\|` | `IstaNas.SearchSpace.SupportAlpha.Support` | `src/IstaNas/SearchSpace/SupportAlpha.cs` |\n" +
                          $"| Broken step | ISTA-NAS method | `x` | {names} | {files} |\n\n## Next\n";
        IReadOnlyList<PaperMap.Row> rows = PaperMap.Parse(markdown);
        Assert.Equal(2, rows.Count);
        string root = OptionsDocument.RepositoryRoot();
        Assert.Null(PaperMap.Problem(rows[0], root));
        string? problem = PaperMap.Problem(rows[1], root);
        Assert.NotNull(problem);
        Assert.Contains("line 8, row \"Broken step\"", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATableWithoutTheColumnsIsRefused()
    {
        var ex = Assert.Throws<FormatException>(() => PaperMap.Parse($"{PaperMap.Heading}\n\n| Step | Code |\n|---|---|\n| a | `b` |\n"));
        Assert.Contains("Type and method", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<FormatException>(() => PaperMap.Parse($"{PaperMap.Heading}\n\n| Paper step | Type and method | File |\n|---|---|---|\n| a | `b` | `c` |\n"));
        Assert.Contains(PaperMap.ReferenceColumn, ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => PaperMap.Parse("# Concepts\n\nno table\n"));
    }
}
