using System.Text.Json;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>search --space macro|nb201 with --table: tiny runs, the benchmark encoding, the table's accuracy, and the one-line errors.</summary>
public class SpaceCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLineTests.RunWithin(TimeSpan.FromMinutes(3), args);

    /// <summary>A file of the shared tables (../shared/data beside the repository, never copied into it).</summary>
    internal static string SharedTable(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IstaNas.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        string path = Path.GetFullPath(Path.Combine([dir!.FullName, "..", "shared", "data", .. parts]));
        Assert.True(File.Exists(path), $"The table is expected at {path} (see ../shared/data/README.md).");
        return path;
    }

    internal static string MacroTable => SharedTable("nas-bench-macro", "nas-bench-macro_cifar10.json");

    internal static string Nb201Table => SharedTable("nas-bench-201", "cifar10_avg.csv");

    private static string[] Tiny(string output, params string[] args) =>
        ["search", "--data", "synthetic:48", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--output", output, "--quiet", .. args];

    [Fact]
    public void MacroSearchWritesTheArchitectureItsEightDigitsAndTheTablesAccuracy()
    {
        using var dir = new TempDirectory();
        string output = dir.File("macro");
        var (exit, _, err) = Run(Tiny(output, "--space", "macro", "--table", MacroTable));
        Assert.True(exit == 0, err);
        var architecture = IstaNas.Choices.Architecture.Load(Path.Combine(output, "architecture.json"));
        string digits = File.ReadAllText(Path.Combine(output, "benchmark_architecture.txt")).Trim();
        Assert.Equal(IstaNas.Spaces.Macro.MacroSpace.FromPicks(architecture.Picks), digits);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "result.json")));
        JsonElement table = result.RootElement.GetProperty("table");
        var entry = IstaNas.Spaces.Macro.MacroTable.Load(MacroTable).Lookup(digits);
        Assert.Equal(entry.MeanAccuracy, table.GetProperty("accuracy").GetDouble());
        Assert.Equal(entry.Parameters, table.GetProperty("params").GetInt64());
        Assert.Equal(entry.Flops, table.GetProperty("flops").GetInt64());
        Assert.Equal("macro", result.RootElement.GetProperty("space").GetString());
        Assert.Equal(digits, result.RootElement.GetProperty("benchmarkArchitecture").GetString());
    }

    [Fact]
    public void Nb201SearchWritesTheArchStringAndTheReducedBudgetTablesAccuracy()
    {
        using var dir = new TempDirectory();
        string output = dir.File("nb201");
        var (exit, _, err) = Run(Tiny(output, "--space", "nb201", "--channels", "4", "--layers", "1", "--table", Nb201Table));
        Assert.True(exit == 0, err);
        var architecture = IstaNas.Choices.Architecture.Load(Path.Combine(output, "architecture.json"));
        Assert.Equal(6, architecture.Choices.Count);
        string arch = File.ReadAllText(Path.Combine(output, "benchmark_architecture.txt")).Trim();
        Assert.Equal(IstaNas.Spaces.Nb201.Nb201Architecture.FromChoices(architecture.Picks).ToString(), arch);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "result.json")));
        JsonElement table = result.RootElement.GetProperty("table");
        var record = IstaNas.Spaces.Nb201.Nb201Table.Load(Nb201Table).Lookup(arch);
        Assert.Equal(record.TestAccuracy, table.GetProperty("accuracy").GetDouble());
        Assert.Contains("reduced-budget", table.GetProperty("note").GetString());
    }

    [Fact]
    public void OneStageSearchesOfMacroAndNb201PrintTheTablesAccuracyAndExportTheTrainedModel()
    {
        using var dir = new TempDirectory();
        string macro = dir.File("macro");
        var (exit, stdout, err) = Run(["search", "--data", "synthetic:48", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--output", macro,
            "--space", "macro", "--strategy", "one-stage", "--table", MacroTable]);
        Assert.True(exit == 0, err);
        string digits = File.ReadAllText(Path.Combine(macro, "benchmark_architecture.txt")).Trim();
        var architecture = IstaNas.Choices.Architecture.Load(Path.Combine(macro, "architecture.json"));
        Assert.Equal("alpha", architecture.Score);
        Assert.Equal(IstaNas.Spaces.Macro.MacroSpace.FromPicks(architecture.Picks), digits);
        var entry = IstaNas.Spaces.Macro.MacroTable.Load(MacroTable).Lookup(digits);
        Assert.Contains($"NAS-Bench-Macro table: {digits} has test accuracy {entry.MeanAccuracy.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} %", stdout);
        Assert.True(File.Exists(Path.Combine(macro, "model.ckpt")), "the one-stage run wrote no model.ckpt");
        string onnx = dir.File("macro.onnx");
        var (exportExit, _, exportErr) = Run("export", "--model", macro, "--onnx", onnx);
        Assert.True(exportExit == 0, exportErr);
        Assert.True(new FileInfo(onnx).Length > 0);

        string nb201 = dir.File("nb201");
        (exit, stdout, err) = Run(["search", "--data", "synthetic:48", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--output", nb201,
            "--space", "nb201", "--channels", "4", "--layers", "1", "--strategy", "one-stage", "--table", Nb201Table]);
        Assert.True(exit == 0, err);
        string arch = File.ReadAllText(Path.Combine(nb201, "benchmark_architecture.txt")).Trim();
        var record = IstaNas.Spaces.Nb201.Nb201Table.Load(Nb201Table).Lookup(arch);
        Assert.Contains($"NAS-Bench-201 table: {arch} has test accuracy {record.TestAccuracy.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} %", stdout);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(nb201, "result.json")));
        Assert.Equal(record.TestAccuracy, result.RootElement.GetProperty("table").GetProperty("accuracy").GetDouble());
        string log = File.ReadAllText(Path.Combine(nb201, "search.log"));
        Assert.Contains("alpha absorbed into the final BN of nor_conv_1x1, nor_conv_3x3; alpha kept as a constant scale after the freeze on none, skip_connect, avg_pool_3x3", log);
        string nb201Onnx = dir.File("nb201.onnx");
        var (nbExportExit, _, nbExportErr) = Run("export", "--model", nb201, "--onnx", nb201Onnx);
        Assert.True(nbExportExit == 0, nbExportErr);
    }

    [Fact]
    public void TheSettingsLineDescribesTheSearchedSpaceNotTheDartsCell()
    {
        var (exit, stdout, err) = Run("search", "--space", "nb201", "--channels", "8", "--layers", "1", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Contains("two-stage: NAS-Bench-201 search network C=8 N=1 (6 shared edge choices of 5 operations, s=1), batch 32", stdout);
        Assert.Contains("m=min(7, K-1) per choice", stdout);
        Assert.DoesNotContain("L=", stdout);
        (exit, stdout, err) = Run("search", "--space", "macro", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Contains("NAS-Bench-Macro search network (8 layer choices of 3 blocks, s=1)", stdout);
        (exit, stdout, err) = Run("search", "--space", "nb201", "--strategy", "one-stage", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Contains("one-stage: NAS-Bench-201 one-stage super-net (affine BN with running statistics) C=16 N=5", stdout);
        Assert.Contains("auxiliary off, drop path 0,", stdout);
    }

    [Fact]
    public void TheSpaceOptionsErrorsAreOneLine()
    {
        using var dir = new TempDirectory();
        foreach (var (expected, args) in new (string, string[])[]
                 {
                     ("--space 'foo' is not known", ["search", "--space", "foo"]),
                     ("--table needs a benchmark space", ["search", "--table", MacroTable]),
                     ("is not a NAS-Bench-Macro table", ["search", "--space", "macro", "--table", Nb201Table]),
                     ("is not a NAS-Bench-201 table", ["search", "--space", "nb201", "--table", MacroTable]),
                     ("--table '" + dir.File("none.json") + "' does not exist", ["search", "--space", "macro", "--table", dir.File("none.json")]),
                     ("NAS-Bench-Macro's network has fixed widths", ["search", "--space", "macro", "--channels", "4"]),
                     ("--sparsity applies to the DARTS cell", ["search", "--space", "nb201", "--sparsity", "1"]),
                     ("--preset paper is the authors' recipe for the DARTS cell", ["search", "--space", "nb201", "--preset", "paper"]),
                     ("A sweep of --space macro runs two-stage, darts, random or random-ws; --strategies lists one-stage, which a sweep runs on the DARTS cell only", ["sweep", "--space", "macro", "--strategies", "darts,one-stage", "--output", dir.File("sweep")]),
                     ("--table needs a benchmark space", ["sweep", "--table", MacroTable, "--output", dir.File("sweep2")]),
                     ("--architecture applies to --space macro or nb201", ["evaluate", "--genotype", "darts_v2", "--architecture", "22212220"]),
                     ("--preset nb201 applies to --space nb201", ["evaluate", "--genotype", "darts_v2", "--preset", "nb201"]),
                     ("--preset 'nb201' does not apply to --space macro", ["evaluate", "--space", "macro", "--architecture", "22212220", "--preset", "nb201"]),
                 })
        {
            var (exit, _, err) = Run(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}, {err}");
            Assert.StartsWith("error: ", err);
            Assert.Contains(expected, err);
            Assert.Single(err.Trim().Split('\n'));
        }
    }

    [Fact]
    public void EvaluateExportAndPredictANasBench201NetworkRebuiltFromItsCheckpoint()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "data");
        TestImages.WriteFolder(data, ["cat", "dog"], perClass: 6, size: 16);
        string run = dir.File("nb201");
        const string cell = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|";
        var (exit, output, err) = Run("evaluate", "--space", "nb201", "--architecture", cell, "--channels", "4", "--layers", "1", "--data", $"folder:{data}",
            "--image-size", "16", "--epochs", "1", "--batch-size", "4", "--steps-per-epoch", "2", "--test-steps", "1", "--output", run, "--quiet");
        Assert.True(exit == 0, $"exit {exit}: {err}\n{output}");
        string model = Path.Combine(run, "model.ckpt");
        IReadOnlyDictionary<string, string> annotations = IstaNas.Checkpoints.CheckpointInfo.Read(model).Annotations;
        Assert.Equal("nb201", annotations["space"]);
        Assert.Equal(cell, annotations["architecture"]);

        string onnx = dir.File("nb201.onnx");
        var (exportExit, exportOut, exportErr) = Run("export", "--model", model, "--onnx", onnx);
        Assert.True(exportExit == 0, $"exit {exportExit}: {exportErr}");
        Assert.Contains("output 'logits' [batch, 2]", exportOut);
        Assert.True(new FileInfo(onnx).Length > 0);

        var (predictExit, predictions, predictErr) = Run("predict", "--model", model, "--images", Path.Combine(data, "dog"), "--top", "1");
        Assert.True(predictExit == 0, $"exit {predictExit}: {predictErr}");
        Assert.Equal(6, predictions.Trim().Split('\n').Length);

        var (badExit, _, badErr) = Run("evaluate", "--space", "macro", "--architecture", "2221222", "--data", "synthetic:20");
        Assert.Equal(2, badExit);
        Assert.StartsWith("error: --architecture '2221222':", badErr);
        Assert.Single(badErr.Trim().Split('\n'));
    }

    [Fact]
    public void AggregateReportsTheTableAccuracyPerStrategy()
    {
        using var dir = new TempDirectory();
        string root = dir.File("sweep");
        foreach (var (seed, accuracy) in new[] { (0, 90.0), (1, 92.0), (2, 91.0) })
        {
            string search = Path.Combine(root, "two-stage", $"seed-{seed}", "search");
            Directory.CreateDirectory(search);
            File.WriteAllText(Path.Combine(search, "result.json"),
                $$"""{ "cancelled": false, "elapsedSeconds": 1, "space": "macro", "table": { "benchmark": "NAS-Bench-Macro", "accuracy": {{accuracy}} } }""");
        }

        var (exit, _, err) = Run("aggregate", "--input", root);
        Assert.True(exit == 0, err);
        string csv = File.ReadAllText(Path.Combine(root, "summary.csv"));
        string[] lines = csv.Trim().Split('\n');
        Assert.EndsWith("tableAccuracyMean,tableAccuracyStd,tableAccuracyBest", lines[0]);
        Assert.EndsWith(",91,1,92", lines[1]);
        string markdown = File.ReadAllText(Path.Combine(root, "summary.md"));
        Assert.Contains("| two-stage | 3 | 91.00 \u00b1 1.00 | 92.00 |", markdown);
        Assert.True(File.Exists(Path.Combine(root, "sweep_table_accuracy.png")));
    }

    [Fact]
    public void ASweepOfTheNasBench201SpaceSearchesLooksUpAndEvaluatesTheBenchmarkNetwork()
    {
        using var dir = new TempDirectory();
        string root = dir.File("sweep");
        var (exit, stdout, err) = Run("sweep", "--space", "nb201", "--table", Nb201Table, "--seeds", "2", "--strategies", "two-stage", "--data", "synthetic:48",
            "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--channels", "4", "--layers", "1", "--eval-epochs", "1", "--eval-steps-per-epoch", "2",
            "--eval-test-steps", "1", "--eval-batch-size", "8", "--eval-channels", "4", "--eval-layers", "1", "--threads", "1", "--quiet", "--output", root);
        Assert.True(exit == 0, $"exit {exit}: {err}\n{stdout}");
        foreach (int seed in new[] { 0, 1 })
        {
            string folder = Path.Combine(root, "two-stage", $"seed-{seed}");
            string arch = File.ReadAllText(Path.Combine(folder, "search", "benchmark_architecture.txt")).Trim();
            var annotations = IstaNas.Checkpoints.CheckpointInfo.Read(Path.Combine(folder, "evaluate", "model.ckpt")).Annotations;
            Assert.Equal((arch, "nb201", "4", "1"), (annotations["architecture"], annotations["space"], annotations["nb201Channels"], annotations["nb201Cells"]));
        }

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "summary.json")));
        Assert.Equal(2, summary.RootElement.GetProperty("finished").GetInt32());
        JsonElement table = summary.RootElement.GetProperty("strategies")[0].GetProperty("tableAccuracy");
        Assert.InRange(table.GetProperty("mean").GetDouble(), 10, 91.52);
    }

    [Fact]
    public void ASweepOfABenchmarkSpaceRunsDartsAndRandomToo()
    {
        using var dir = new TempDirectory();
        string root = dir.File("sweep");
        string[] strategies = ["darts", "random", "random-ws"];
        var (exit, stdout, err) = Run("sweep", "--space", "nb201", "--table", Nb201Table, "--seeds", "1", "--strategies", string.Join(',', strategies), "--data", "synthetic:48",
            "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--channels", "4", "--layers", "1", "--candidates", "2", "--eval-epochs", "1", "--eval-steps-per-epoch", "2",
            "--eval-test-steps", "1", "--eval-batch-size", "8", "--eval-channels", "4", "--eval-layers", "1", "--threads", "1", "--quiet", "--output", root);
        Assert.True(exit == 0, $"exit {exit}: {err}\n{stdout}");
        foreach (string strategy in strategies)
        {
            string folder = Path.Combine(root, strategy, "seed-0");
            string arch = File.ReadAllText(Path.Combine(folder, "search", "benchmark_architecture.txt")).Trim();
            var annotations = IstaNas.Checkpoints.CheckpointInfo.Read(Path.Combine(folder, "evaluate", "model.ckpt")).Annotations;
            Assert.Equal((arch, "nb201"), (annotations["architecture"], annotations["space"]));
        }

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "summary.json")));
        Assert.Equal(3, summary.RootElement.GetProperty("finished").GetInt32());
    }

    [Fact]
    public void ResumingABenchmarkSpaceSearchRebuildsTheSpaceFromTheCheckpoint()
    {
        using var dir = new TempDirectory();
        string output = dir.File("nb201");
        var (exit, _, err) = Run(Tiny(output, "--space", "nb201", "--channels", "4", "--layers", "1"));
        Assert.True(exit == 0, err);
        string checkpoint = Path.Combine(output, "two-stage.ckpt");
        Assert.Equal("nb201", IstaNas.Checkpoints.CheckpointInfo.Read(checkpoint).Annotations["space"]);
        var (again, _, againErr) = Run("search", "--resume", checkpoint, "--epochs", "2", "--quiet");
        Assert.True(again == 0, againErr);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "result.json")));
        Assert.Equal(2, result.RootElement.GetProperty("epochs").GetInt32());
        Assert.Equal("nb201", result.RootElement.GetProperty("space").GetString());
        var (wrong, _, wrongErr) = Run("search", "--resume", checkpoint, "--space", "macro");
        Assert.Equal(2, wrong);
        Assert.Contains("searched the nb201 space, not macro", wrongErr);
    }
}
