using System.Globalization;
using System.Text;
using System.Text.Json;
using IstaNas.Training;
using IstaNas.Visualization;

namespace IstaNas.Cli;

/// <summary>
/// Reads the run folders of a sweep (<c>ROOT/STRATEGY/seed-SEED/search</c> and <c>.../evaluate</c>, the tasks listed in
/// <c>sweep.json</c> when it is there) and summarises them per strategy: test accuracy (mean, standard deviation, best),
/// search and evaluation time, parameters. Runs that did not finish are listed with the reason and left out of the statistics.
/// </summary>
internal sealed class SweepAggregate
{
    private SweepAggregate(string root, IReadOnlyList<SweepRun> runs)
    {
        Root = root;
        Runs = runs;
        Strategies = [.. runs.Select(r => r.Strategy).Distinct(StringComparer.Ordinal).Select(s =>
        {
            SweepRun[] all = [.. runs.Where(r => r.Strategy == s)], done = [.. all.Where(r => r.Finished)];
            return new StrategySummary(s, all.Length, done.Length, Statistic.Of(done.Select(r => r.TestAccuracy)), Statistic.Of(done.Select(r => r.SearchSeconds)),
                Statistic.Of(done.Select(r => r.EvaluationSeconds)), Statistic.Of(done.Select(r => (double)(r.Parameters ?? -1)).Where(p => p >= 0)),
                Statistic.Of(all.Select(r => r.TableAccuracy)));
        })];
    }

    /// <summary>The sweep's folder.</summary>
    public string Root { get; }

    /// <summary>Every run, in task order.</summary>
    public IReadOnlyList<SweepRun> Runs { get; }

    /// <summary>Whether any search looked its architecture up in a benchmark table (search --table).</summary>
    public bool HasTable => Runs.Any(r => double.IsFinite(r.TableAccuracy));

    /// <summary>One row per strategy, in the sweep's order.</summary>
    public IReadOnlyList<StrategySummary> Strategies { get; }

    /// <summary>Reads the sweep in <paramref name="root"/>.</summary>
    /// <exception cref="ArgumentException">The folder does not exist or holds no sweep.</exception>
    public static SweepAggregate Read(string root)
    {
        if (!Directory.Exists(root)) throw new ArgumentException($"--input '{root}' is not a folder.");
        root = Path.GetFullPath(root);
        string plan = Path.Combine(root, SweepPlan.FileName);
        IReadOnlyList<(string Strategy, long Seed, string Folder)> tasks;
        if (File.Exists(plan))
        {
            try
            {
                tasks = SweepPlan.ReadTasks(File.ReadAllText(plan));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ArgumentException($"'{plan}' is not a sweep plan: {ex.Message}", ex);
            }
        }
        else
        {
            tasks = [.. Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).SelectMany(strategy => Directory.EnumerateDirectories(strategy, "seed-*")
                .Select(seed => (Strategy: Path.GetFileName(strategy), Name: Path.GetFileName(seed)))
                .Where(t => long.TryParse(t.Name.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                .Select(t => (t.Strategy, long.Parse(t.Name.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture), $"{t.Strategy}/{t.Name}"))
                .OrderBy(t => t.Item2))];
        }

        if (tasks.Count == 0)
            throw new ArgumentException($"'{root}' holds no sweep: neither {SweepPlan.FileName} nor STRATEGY/seed-N folders.");
        return new SweepAggregate(root, [.. tasks.Select(t => ReadRun(root, t.Strategy, t.Seed, t.Folder))]);
    }

    /// <summary>
    /// Writes <c>summary.md</c>, <c>summary.csv</c> (one row per strategy), <c>runs.csv</c> (one row per run),
    /// <c>summary.json</c> (both, the library's JSON style) and <c>sweep_accuracy.png</c> into <paramref name="directory"/>;
    /// each atomically, a failed one reported, never thrown.
    /// </summary>
    public SavedFiles Write(string directory)
    {
        var files = new RunFileWriter(directory);
        files.Text("summary.md", Markdown());
        files.Text("summary.csv", StrategyCsv());
        files.Text("runs.csv", RunCsv());
        files.Json("summary.json", new
        {
            Root,
            Planned = Runs.Count,
            Finished = Runs.Count(r => r.Finished),
            Strategies,
            Runs,
        });
        SavedFiles written = files.Finish();
        SavedFiles picture = QualityPictures.Write(directory, [.. Runs.Where(r => r.Finished).Select(r => new RunAccuracy(r.Strategy, r.Seed, r.TestAccuracy))]);
        if (HasTable)
        {
            SavedFiles table = QualityPictures.WriteTableAccuracy(directory,
                [.. Runs.Where(r => double.IsFinite(r.TableAccuracy)).Select(r => new RunAccuracy(r.Strategy, r.Seed, r.TableAccuracy / 100))]);
            picture = new SavedFiles([.. picture.Written, .. table.Written], [.. picture.Failed, .. table.Failed]);
        }
        return new SavedFiles([.. written.Written, .. picture.Written], [.. written.Failed, .. picture.Failed]);
    }

    /// <summary>The summary as Markdown: the per-strategy table, every run, and what was left out.</summary>
    public string Markdown()
    {
        var sb = new StringBuilder("# Sweep summary\n\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"`{Root}`: {Runs.Count} runs, {Runs.Count(r => r.Finished)} finished. Test accuracy of each searched genotype after its evaluation " +
            $"(the same budget for all); mean \u00b1 sample standard deviation over the finished runs, best = highest.\n\n");
        (string searchUnit, double searchScale) = TimeUnit(Strategies.Select(s => s.SearchSeconds.Mean));
        (string evaluationUnit, double evaluationScale) = TimeUnit(Strategies.Select(s => s.EvaluationSeconds.Mean));
        sb.Append(CultureInfo.InvariantCulture,
            $"| strategy | finished | test accuracy (%) | best (%) | search time ({searchUnit}) | evaluation time ({evaluationUnit}) | parameters (M) |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (StrategySummary s in Strategies)
            sb.Append(CultureInfo.InvariantCulture,
                $"| {s.Strategy} | {s.Finished}/{s.Runs} | {MeanStd(s.TestAccuracy, 100, "0.00")} | {Number(s.TestAccuracy.Max * 100, "0.00")} | " +
                $"{MeanStd(s.SearchSeconds, searchScale, "0.0")} | {MeanStd(s.EvaluationSeconds, evaluationScale, "0.0")} | {MeanStd(s.Parameters, 1e-6, "0.000")} |\n");
        if (HasTable)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"\n## Benchmark table\n\nTest accuracy the benchmark's table gives each searched architecture (search --table; NAS-Bench-201: {SpaceOption.Nb201TableNote}); " +
                $"mean \u00b1 sample standard deviation over the seeds whose search has one.\n\n| strategy | searches | table accuracy (%) | best (%) |\n|---|---:|---:|---:|\n");
            foreach (StrategySummary s in Strategies)
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {s.Strategy} | {Runs.Count(r => r.Strategy == s.Strategy && double.IsFinite(r.TableAccuracy))} | {MeanStd(s.TableAccuracy, 1, "0.00")} | {Number(s.TableAccuracy.Max, "0.00")} |\n");
        }

        sb.Append("\n## Runs\n\n| strategy | seed | status | test accuracy (%) | search time (s) | evaluation time (s) | parameters | folder |\n");
        sb.Append("|---|---:|---|---:|---:|---:|---:|---|\n");
        foreach (SweepRun r in Runs)
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Strategy} | {r.Seed} | {r.Status} | {Number(r.TestAccuracy * 100, "0.00")} | {Number(r.SearchSeconds, "0.0")} | " +
                $"{Number(r.EvaluationSeconds, "0.0")} | {(r.Parameters is long p ? p.ToString(CultureInfo.InvariantCulture) : "-")} | {r.Folder} |\n");
        SweepRun[] missing = [.. Runs.Where(r => !r.Finished)];
        if (missing.Length > 0)
        {
            sb.Append("\n## Not in the statistics\n\n");
            foreach (SweepRun r in missing)
                sb.Append(CultureInfo.InvariantCulture, $"- {r.Strategy} seed {r.Seed}: {r.Status} ({r.Folder})\n");
            sb.Append("\nRun the sweep again to continue them: finished steps are skipped, unfinished ones continue from their checkpoints.\n");
        }

        return sb.ToString();
    }

    private string StrategyCsv()
    {
        var sb = new StringBuilder("strategy,runs,finished,testAccuracyMean,testAccuracyStd,testAccuracyBest,searchSecondsMean,searchSecondsStd," +
                                   "evaluationSecondsMean,evaluationSecondsStd,parametersMean,parametersStd" +
                                   (HasTable ? ",tableAccuracyMean,tableAccuracyStd,tableAccuracyBest\n" : "\n"));
        foreach (StrategySummary s in Strategies)
            sb.Append(CultureInfo.InvariantCulture,
                $"{s.Strategy},{s.Runs},{s.Finished},{F(s.TestAccuracy.Mean)},{F(s.TestAccuracy.Std)},{F(s.TestAccuracy.Max)},{F(s.SearchSeconds.Mean)},{F(s.SearchSeconds.Std)}," +
                $"{F(s.EvaluationSeconds.Mean)},{F(s.EvaluationSeconds.Std)},{F(s.Parameters.Mean)},{F(s.Parameters.Std)}" +
                $"{(HasTable ? $",{F(s.TableAccuracy.Mean)},{F(s.TableAccuracy.Std)},{F(s.TableAccuracy.Max)}" : string.Empty)}\n");
        return sb.ToString();
    }

    private string RunCsv()
    {
        var sb = new StringBuilder("strategy,seed,status,testAccuracy,searchSeconds,evaluationSeconds,parameters,folder\n");
        foreach (SweepRun r in Runs)
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.Strategy},{r.Seed},{r.Status},{F(r.TestAccuracy)},{F(r.SearchSeconds)},{F(r.EvaluationSeconds)},{r.Parameters?.ToString(CultureInfo.InvariantCulture)},{r.Folder}\n");
        return sb.ToString();
    }

    /// <summary>Seconds below two minutes, minutes below two hours, else hours: the unit and the factor from seconds.</summary>
    private static (string Unit, double Scale) TimeUnit(IEnumerable<double> seconds)
    {
        double largest = seconds.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        return largest < 120 ? ("s", 1) : largest < 7200 ? ("min", 1 / 60.0) : ("h", 1 / 3600.0);
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;

    private static string Number(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string MeanStd(Statistic s, double scale, string format) =>
        !double.IsFinite(s.Mean) ? "-" : double.IsFinite(s.Std) ? $"{Number(s.Mean * scale, format)} \u00b1 {Number(s.Std * scale, format)}" : Number(s.Mean * scale, format);

    private static SweepRun ReadRun(string root, string strategy, long seed, string folder)
    {
        string search = Path.Combine(root, folder, "search"), evaluate = Path.Combine(root, folder, "evaluate");
        double table = double.NaN;
        SweepRun Run(string status, double accuracy = double.NaN, double searchSeconds = double.NaN, double evaluationSeconds = double.NaN, long? parameters = null) =>
            new(strategy, seed, folder, status, accuracy, searchSeconds, evaluationSeconds, parameters, table);
        try
        {
            JsonElement? searched = ReadJson(Path.Combine(search, "result.json"));
            if (searched is null)
                return Run(Directory.Exists(search) && Directory.EnumerateFiles(search, "*.ckpt").Any() ? "search unfinished" : "search not started");
            if (Cancelled(searched.Value)) return Run("search cancelled");
            if (searched.Value.TryGetProperty("table", out JsonElement tableJson) && tableJson.ValueKind == JsonValueKind.Object) table = Number(tableJson, "accuracy");
            double searchSeconds = Seconds(search, searched.Value, Path.Combine(search, "result.json"));
            JsonElement? evaluated = ReadJson(Path.Combine(evaluate, "result.json"));
            if (evaluated is null)
                return Run(File.Exists(Path.Combine(evaluate, "evaluation.ckpt")) ? "evaluation unfinished" : "evaluation not started", searchSeconds: searchSeconds);
            if (Cancelled(evaluated.Value)) return Run("evaluation cancelled", searchSeconds: searchSeconds);
            string evaluatedPath = Path.Combine(evaluate, "result.json");
            double accuracy = InRange(evaluatedPath, Number(evaluated.Value, "testAccuracy"), "testAccuracy", 0, 1);
            long? parameters = evaluated.Value.TryGetProperty("parameterCount", out JsonElement p) && p.ValueKind == JsonValueKind.Number
                ? (long)InRange(evaluatedPath, p.TryGetInt64(out long count) ? count : -1, "parameterCount", 1, long.MaxValue)
                : null;
            return Run(double.IsFinite(accuracy) ? SweepRun.FinishedStatus : "evaluation without a test accuracy", accuracy, searchSeconds,
                Seconds(evaluate, evaluated.Value, evaluatedPath), parameters);
        }
        catch (InvalidDataException ex)
        {
            return Run($"invalid: {ex.Message.ReplaceLineEndings(" ")}");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            return Run($"unreadable: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>A value of a result file, refused (the file named) when it is outside its range; NaN (absent) passes.</summary>
    /// <exception cref="InvalidDataException">The value is outside <paramref name="min"/>..<paramref name="max"/>.</exception>
    private static double InRange(string file, double value, string name, double min, double max) =>
        double.IsNaN(value) || (value >= min && value <= max) ? value
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"'{file}' says {name} {value}, {(max < long.MaxValue ? $"outside {min}..{max}" : $"below {min}")}; the file is not a result this CLI wrote."));

    private static JsonElement? ReadJson(string path) => File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;

    private static bool Cancelled(JsonElement result) => !result.TryGetProperty("cancelled", out JsonElement c) || c.ValueKind != JsonValueKind.False;

    private static double Number(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    /// <summary>The sum of the epochs' wall times in history.json (every epoch, resumed runs included); without epochs, result.json's elapsedSeconds.</summary>
    private static double Seconds(string folder, JsonElement result, string resultPath)
    {
        string historyPath = Path.Combine(folder, "history.json");
        JsonElement? history = ReadJson(historyPath);
        if (history is { ValueKind: JsonValueKind.Array } h && h.GetArrayLength() > 0)
            return h.EnumerateArray().Sum(e => InRange(historyPath, Number(e, "elapsedSeconds"), "elapsedSeconds", 0, double.PositiveInfinity));
        return InRange(resultPath, Number(result, "elapsedSeconds"), "elapsedSeconds", 0, double.PositiveInfinity);
    }
}
