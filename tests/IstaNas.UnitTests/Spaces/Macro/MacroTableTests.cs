using IstaNas.Data;
using IstaNas.Spaces.Macro;

namespace IstaNas.Tests.Spaces.Macro;

/// <summary>The table lookup, against the benchmark's table and broken files.</summary>
public sealed class MacroTableTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("macro-table-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json)
    {
        string path = Path.Combine(_folder, $"t{Directory.GetFiles(_folder).Length}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void TheBenchmarksTableHasTheFiguresOfItsReadme()
    {
        MacroTable table = MacroTable.Load(MacroTableFile.Path);
        Assert.Equal(6561, table.Count);
        double[] means = [.. table.Entries.Select(e => e.MeanAccuracy).Order()];
        Assert.Equal(90.25, Math.Round(means.Average(), 2));
        Assert.Equal(90.99, Math.Round(means[means.Length / 2], 2));
        MacroTableEntry best = table.Entries.MaxBy(e => e.MeanAccuracy)!;
        Assert.Equal("22212220", best.Architecture);
        Assert.Equal(93.13, Math.Round(best.MeanAccuracy, 2));
        Assert.Equal(1_985_514, best.Parameters);

        MacroTableEntry entry = table.Lookup("22212220");
        Assert.Same(best, entry);
        Assert.Equal(3, entry.TestAccuracies.Count);
        Assert.Equal(entry.TestAccuracies.Average(), entry.MeanAccuracy, 6);
        Assert.NotNull(entry.StandardDeviation);
        Assert.Equal(85_164_544, entry.Flops);
    }

    [Fact]
    public void ReadsAMinimalTableAndRefusesArchitecturesItLacks()
    {
        string path = Write("""{"12000000": {"test_acc": [90, 91, 92], "mean_acc": 91, "params": 5, "flops": 7}}""");
        MacroTable table = MacroTable.Load(path);
        MacroTableEntry entry = table.Lookup("12000000");
        Assert.Equal([90.0, 91, 92], entry.TestAccuracies);
        Assert.Null(entry.StandardDeviation);
        Assert.Equal((5L, 7L), (entry.Parameters, entry.Flops));
        var missing = Assert.Throws<KeyNotFoundException>(() => table.Lookup("22212220"));
        Assert.Contains("no architecture '22212220'", missing.Message);
        Assert.Contains(path, missing.Message);
        Assert.Contains("'1220' has 4", Assert.Throws<ArgumentException>(() => table.Lookup("1220")).Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        string path = Path.Combine(_folder, "none.json");
        var error = Assert.Throws<FileNotFoundException>(() => MacroTable.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData("""{"22212220": {"test_acc": [93""", "not JSON")]
    [InlineData("""[1, 2]""", "not an object of architectures")]
    [InlineData("""{}""", "no architectures")]
    [InlineData("""{"2221222": {}}""", "the key '2221222' is not an architecture")]
    [InlineData("""{"22212220": 93.1}""", "architecture '22212220' has a JSON Number")]
    [InlineData("""{"22212220": {"test_acc": [93], "mean_acc": 93, "flops": 1}}""", "architecture '22212220' has no \"params\"")]
    [InlineData("""{"22212220": {"test_acc": [93], "mean_acc": "93", "params": 1, "flops": 1}}""", "\"mean_acc\" is a JSON String")]
    [InlineData("""{"22212220": {"test_acc": [], "mean_acc": 93, "params": 1, "flops": 1}}""", "empty \"test_acc\"")]
    [InlineData("""{"22212220": {"test_acc": ["x"], "mean_acc": 93, "params": 1, "flops": 1}}""", "\"test_acc\" holds \"x\"")]
    [InlineData("""{"22212220": {"test_acc": [93], "mean_acc": 93, "params": 1.5, "flops": 1}}""", "\"params\" is 1.5, not a non-negative integer")]
    [InlineData("""{"22212220": {"test_acc": [93], "mean_acc": 93, "params": 1, "flops": 1}, "22212220": {"test_acc": [93], "mean_acc": 93, "params": 1, "flops": 1}}""", "appears twice")]
    public void MalformedTablesAreRefusedWithTheFileAndTheProblem(string json, string problem)
    {
        string path = Write(json);
        var error = Assert.Throws<DataFormatException>(() => MacroTable.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }
}
