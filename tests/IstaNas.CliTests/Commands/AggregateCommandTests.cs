using System.Globalization;
using System.Text.Json;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary><c>aggregate</c> on hand-made run folders: the statistics per strategy, and runs that are missing, cancelled, unfinished or unreadable.</summary>
public sealed class AggregateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A finished run: search epochs of the given seconds, evaluation epochs of the given seconds, the test accuracy and parameters.</summary>
    private static void Finished(string root, string strategy, int seed, double accuracy, double[] searchEpochs, double[] evaluationEpochs, long parameters)
    {
        string folder = Path.Combine(root, strategy, $"seed-{seed}");
        Write(Path.Combine(folder, "search", "result.json"), """{ "strategy": "x", "cancelled": false, "elapsedSeconds": 999 }""");
        Write(Path.Combine(folder, "search", "history.json"), "[" + string.Join(",", searchEpochs.Select(s => $$"""{"epoch":1,"elapsedSeconds":{{F(s)}}}""")) + "]");
        Write(Path.Combine(folder, "evaluate", "result.json"),
            $$"""{ "cancelled": false, "testAccuracy": {{F(accuracy)}}, "parameterCount": {{parameters}}, "elapsedSeconds": 1 }""");
        Write(Path.Combine(folder, "evaluate", "history.json"), "[" + string.Join(",", evaluationEpochs.Select(s => $$"""{"elapsedSeconds":{{F(s)}}}""")) + "]");
    }

    private static double Std(params double[] v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    [Fact]
    public void MeansStdsAndBestComeFromTheFinishedRunsAndTheOthersAreListedWithTheirReason()
    {
        string root = _dir.File("sweep");
        Finished(root, "two-stage", 0, 0.70, [10, 20], [100], 2_000_000);
        Finished(root, "two-stage", 1, 0.74, [30], [120, 20], 3_000_000);
        Finished(root, "two-stage", 2, 0.72, [40, 5], [110], 4_000_000);
        Finished(root, "random", 0, 0.60, [], [90], 1_000_000); // a draw: no epochs, the search time is its elapsedSeconds
        // random seed 1: search cancelled; seed 2: evaluation unfinished (a checkpoint, no result); seed 3: evaluation never started.
        Write(Path.Combine(root, "random", "seed-1", "search", "result.json"), """{ "cancelled": true }""");
        Finished(root, "random", 2, 0.9, [], [1], 1);
        File.Delete(Path.Combine(root, "random", "seed-2", "evaluate", "result.json"));
        Write(Path.Combine(root, "random", "seed-2", "evaluate", "evaluation.ckpt"), "x");
        Write(Path.Combine(root, "random", "seed-3", "search", "result.json"), """{ "cancelled": false, "elapsedSeconds": 0.5 }""");
        // darts seed 0: a search under way (checkpoint only); seed 1: an unreadable result.
        Write(Path.Combine(root, "darts", "seed-0", "search", "darts.ckpt"), "x");
        Write(Path.Combine(root, "darts", "seed-1", "search", "result.json"), "{ not json");

        var (exit, stdout, err) = CommandLineTests.Run("aggregate", "--input", root, "--json");
        Assert.True(exit == 0, err);
        using JsonDocument done = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        Assert.Equal(9, done.RootElement.GetProperty("runs").GetInt32());
        Assert.Equal(4, done.RootElement.GetProperty("finished").GetInt32());

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "summary.json")));
        var strategies = summary.RootElement.GetProperty("strategies").EnumerateArray().ToDictionary(s => s.GetProperty("strategy").GetString()!);
        Assert.Equal(["darts", "random", "two-stage"], strategies.Keys.Order()); // folders found without a sweep.json
        JsonElement twoStage = strategies["two-stage"];
        Assert.Equal((3, 3), (twoStage.GetProperty("runs").GetInt32(), twoStage.GetProperty("finished").GetInt32()));
        Assert.Equal(0.72, twoStage.GetProperty("testAccuracy").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(Std(0.70, 0.74, 0.72), twoStage.GetProperty("testAccuracy").GetProperty("std").GetDouble(), 12);
        Assert.Equal(0.02, twoStage.GetProperty("testAccuracy").GetProperty("std").GetDouble(), 12);
        Assert.Equal(0.74, twoStage.GetProperty("testAccuracy").GetProperty("max").GetDouble(), 12);
        Assert.Equal(35, twoStage.GetProperty("searchSeconds").GetProperty("mean").GetDouble(), 12); // (30 + 30 + 45) / 3
        Assert.Equal(Std(30, 30, 45), twoStage.GetProperty("searchSeconds").GetProperty("std").GetDouble(), 12);
        Assert.Equal(Std(100, 140, 110), twoStage.GetProperty("evaluationSeconds").GetProperty("std").GetDouble(), 12);
        Assert.Equal(3_000_000, twoStage.GetProperty("parameters").GetProperty("mean").GetDouble(), 6);

        JsonElement random = strategies["random"];
        Assert.Equal((4, 1), (random.GetProperty("runs").GetInt32(), random.GetProperty("finished").GetInt32()));
        Assert.Equal(0.60, random.GetProperty("testAccuracy").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, random.GetProperty("testAccuracy").GetProperty("std").ValueKind); // one run: no deviation
        Assert.Equal(999, random.GetProperty("searchSeconds").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, strategies["darts"].GetProperty("testAccuracy").GetProperty("mean").ValueKind);

        var status = summary.RootElement.GetProperty("runs").EnumerateArray()
            .ToDictionary(r => $"{r.GetProperty("strategy").GetString()}/{r.GetProperty("seed").GetInt64()}", r => r.GetProperty("status").GetString()!);
        Assert.Equal("search cancelled", status["random/1"]);
        Assert.Equal("evaluation unfinished", status["random/2"]);
        Assert.Equal("evaluation not started", status["random/3"]);
        Assert.Equal("search unfinished", status["darts/0"]);
        Assert.StartsWith("unreadable: ", status["darts/1"], StringComparison.Ordinal);

        string markdown = File.ReadAllText(Path.Combine(root, "summary.md"));
        Assert.Contains("| two-stage | 3/3 | 72.00 \u00b1 2.00 | 74.00 |", markdown);
        Assert.Contains("| random | 1/4 | 60.00 | 60.00 |", markdown);
        Assert.Contains("- random seed 1: search cancelled (random/seed-1)", markdown);
        Assert.Contains("- darts seed 0: search unfinished (darts/seed-0)", markdown);
        string[] csv = File.ReadAllLines(Path.Combine(root, "summary.csv"));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("two-stage,3,3,0.72", csv.Single(l => l.StartsWith("two-stage", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(10, File.ReadAllLines(Path.Combine(root, "runs.csv")).Length);
        Assert.True(File.Exists(Path.Combine(root, "sweep_accuracy.png")));
    }

    [Fact]
    public void ATaskOfTheSweepPlanWithoutAFolderIsListedAsNotStarted()
    {
        string root = _dir.File("planned");
        Finished(root, "two-stage", 0, 0.5, [1], [1], 10);
        Write(Path.Combine(root, "sweep.json"), """
            { "tasks": [
              { "index": 0, "strategy": "two-stage", "seed": 0, "folder": "two-stage/seed-0" },
              { "index": 1, "strategy": "two-stage", "seed": 1, "folder": "two-stage/seed-1" } ] }
            """);
        string output = _dir.File("elsewhere");
        var (exit, stdout, err) = CommandLineTests.Run("aggregate", "--input", root, "--output", output);
        Assert.True(exit == 0, err);
        Assert.Contains("| two-stage | 1/2 | 50.00 | 50.00 |", stdout);
        Assert.Contains("two-stage seed 1: search not started", stdout);
        Assert.True(File.Exists(Path.Combine(output, "summary.md")));
        Assert.False(File.Exists(Path.Combine(root, "summary.md")));
    }

    [Fact]
    public void OutOfRangeValuesInAResultFileAreRefusedNamingTheFileAndLeftOutOfTheStatistics()
    {
        string root = _dir.File("odd");
        Finished(root, "two-stage", 0, 0.5, [1], [1], 10);
        Finished(root, "two-stage", 1, 7.5, [1], [1], 10); // 750 %
        Finished(root, "two-stage", 2, 0.6, [1], [1], -3); // a parameter count of -3
        Finished(root, "two-stage", 3, 0.6, [-5], [1], 10); // a negative epoch time
        var (exit, stdout, err) = CommandLineTests.Run("aggregate", "--input", root);
        Assert.True(exit == 0, err);
        Assert.Contains("| two-stage | 1/4 | 50.00 | 50.00 |", stdout);
        Assert.DoesNotContain("750", stdout);
        string Evaluate(int seed) => Path.Combine(root, "two-stage", $"seed-{seed}", "evaluate", "result.json");
        Assert.Contains($"two-stage seed 1: invalid: '{Evaluate(1)}' says testAccuracy 7.5, outside 0..1", stdout);
        Assert.Contains($"two-stage seed 2: invalid: '{Evaluate(2)}' says parameterCount -3, below 1", stdout);
        Assert.Contains($"two-stage seed 3: invalid: '{Path.Combine(root, "two-stage", "seed-3", "search", "history.json")}' says elapsedSeconds -5, below 0", stdout);
    }
}
