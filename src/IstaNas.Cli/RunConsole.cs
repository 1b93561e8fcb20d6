using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IstaNas.Evaluation;
using IstaNas.IO;
using IstaNas.Strategies;
using IstaNas.Training;
using Spectre.Console;

namespace IstaNas.Cli;

/// <summary>
/// What the user sees while a run goes: progress bars, one line per epoch, a summary; or JSON lines (one schema for every
/// command: an <c>epoch</c> event per epoch with the fields of <c>history.json</c>, a final <c>done</c> event); or only
/// the result. Accuracy is a fraction in JSON and a percentage on screen.
/// </summary>
internal sealed class RunConsole
{
    private readonly bool _quiet;
    private readonly bool _json;
    private ProgressTask? _epochTask;
    private ProgressTask? _stepTask;

    public RunConsole(bool quiet, bool json)
    {
        _quiet = quiet;
        _json = json;
        // Redirected output (a file, a pipe) is not a terminal: do not wrap it at Spectre's default 80 columns.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 4096;
    }

    private bool Plain => _quiet || _json;

    public void Header(string text)
    {
        if (!Plain) AnsiConsole.MarkupLine($"[bold]IstaNas[/] {Markup.Escape(text)}");
    }

    public void Line(string text)
    {
        if (!Plain) AnsiConsole.MarkupLine(Markup.Escape(text));
    }

    public T Run<T>(Func<T> work)
    {
        if (Plain || !AnsiConsole.Profile.Capabilities.Interactive)
            return work();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _epochTask = ctx.AddTask("epochs", maxValue: 1);
                _stepTask = ctx.AddTask("steps", maxValue: 1);
                result = work();
            });
        return result;
    }

    public void Step(StepReport r)
    {
        if (_stepTask is null) return;
        _stepTask.MaxValue = r.StepsPerEpoch;
        _stepTask.Value = r.Step;
        _stepTask.Description = $"epoch {r.Epoch} loss {r.TrainLoss:0.000} top1 {r.TrainAccuracy:P1}";
    }

    public void Epoch(EpochReport r)
    {
        if (_json)
        {
            Event("epoch", JsonSerializer.SerializeToNode(r, JsonFormat.Compact)!.AsObject());
            return;
        }

        if (_quiet) return;
        if (_epochTask is not null)
        {
            _epochTask.MaxValue = r.Epochs;
            _epochTask.Value = r.Epoch;
            _epochTask.Description = $"{Phase(r)} {r.Epoch}/{r.Epochs}";
        }

        string frozen = r.FrozenNodes.Count > 0 ? $" frozen {r.FrozenNodes.Count}/{Math.Max(r.ZMagnitude.Count, r.FrozenNodes.Count)}" : string.Empty;
        string dz = r.ZChange.Count > 0 ? $" max|dz| {r.ZChange.Values.Max():0.##e0}" : string.Empty;
        string valid = double.IsFinite(r.ValidLoss) ? $" valid {r.ValidLoss:0.000}/{r.ValidAccuracy:P1}" : string.Empty;
        string test = double.IsFinite(r.TestLoss) ? $" test {r.TestLoss:0.000}/{r.TestAccuracy:P1} top5 {r.TestTop5:P1}" : string.Empty;
        AnsiConsole.MarkupLine(Markup.Escape(
            $"{Phase(r)} {r.Epoch,3}/{r.Epochs} lr {r.LearningRate:0.00000} train {r.TrainLoss:0.000}/{r.TrainAccuracy:P1}{valid}{test}{dz}{frozen} ({r.Elapsed.TotalSeconds:0.0} s)"));
    }

    public void SearchSummary(SearchResult result, IReadOnlyList<string> files, IReadOnlyList<FileFailure> failed)
    {
        if (_json)
        {
            Event("done", new JsonObject
            {
                ["command"] = "search",
                ["strategy"] = result.Strategy,
                ["cancelled"] = result.Cancelled,
                ["epochs"] = result.History.Count,
                ["elapsedSeconds"] = result.Elapsed.TotalSeconds,
                ["genotype"] = JsonSerializer.SerializeToNode(result.Genotype, JsonFormat.Compact),
                ["absorptionMaxError"] = result.AbsorptionMaxError,
                ["warnings"] = JsonSerializer.SerializeToNode(result.Warnings),
                ["checkpoint"] = result.CheckpointPath,
                ["files"] = JsonSerializer.SerializeToNode(files),
                ["failedFiles"] = JsonSerializer.SerializeToNode(failed, JsonFormat.Compact),
            });
            return;
        }

        if (_quiet)
        {
            Console.Out.WriteLine(result.Genotype?.ToString() ?? result.Architecture?.ToString() ?? string.Empty);
            LostFiles(result.Warnings);
            Failures(failed);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Search summary");
        foreach (string c in new[] { "epoch", "phase", "train loss", "train top1", "valid loss", "valid top1", "max |dz|", "s" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (EpochReport r in result.History)
            table.AddRow(
                r.Epoch.ToString(CultureInfo.InvariantCulture), Phase(r), $"{r.TrainLoss:0.000}", $"{r.TrainAccuracy:P1}",
                double.IsFinite(r.ValidLoss) ? $"{r.ValidLoss:0.000}" : "-", double.IsFinite(r.ValidAccuracy) ? $"{r.ValidAccuracy:P1}" : "-",
                r.ZChange.Count > 0 ? $"{r.ZChange.Values.Max():0.##e0}" : "-", $"{r.Elapsed.TotalSeconds:0.0}");
        if (result.History.Count > 0) AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[bold]Genotype[/]{(result.Cancelled ? " [yellow](run cancelled; best so far)[/]" : string.Empty)}:");
        AnsiConsole.WriteLine(result.Genotype?.ToString() ?? result.Architecture?.ToString() ?? string.Empty);
        Warnings(result.Warnings);
        Files(files, failed, result.Elapsed, result.Cancelled ? result.CheckpointPath : null);
    }

    public void EvaluationSummary(EvaluationResult result, IReadOnlyList<string> files, IReadOnlyList<FileFailure> failed)
    {
        if (_json)
        {
            Event("done", new JsonObject
            {
                ["command"] = "evaluate",
                ["cancelled"] = result.Cancelled,
                ["epochs"] = result.EpochsCompleted,
                ["elapsedSeconds"] = result.Elapsed.TotalSeconds,
                ["genotype"] = result.IsOwnModel ? null : JsonSerializer.SerializeToNode(result.Genotype, JsonFormat.Compact),
                ["testLoss"] = JsonSerializer.SerializeToNode(result.TestLoss, JsonFormat.Compact),
                ["testAccuracy"] = JsonSerializer.SerializeToNode(result.TestAccuracy, JsonFormat.Compact),
                ["testTop5"] = JsonSerializer.SerializeToNode(result.TestTop5, JsonFormat.Compact),
                ["parameterCount"] = result.ParameterCount,
                ["auxiliaryParameterCount"] = result.AuxiliaryParameterCount,
                ["warnings"] = JsonSerializer.SerializeToNode(result.Warnings),
                ["checkpoint"] = result.CheckpointPath,
                ["files"] = JsonSerializer.SerializeToNode(files),
                ["failedFiles"] = JsonSerializer.SerializeToNode(failed, JsonFormat.Compact),
            });
            return;
        }

        string accuracy = string.Create(CultureInfo.InvariantCulture,
            $"test top-1 {result.TestAccuracy:P2} (error {1 - result.TestAccuracy:P2}), top-5 {result.TestTop5:P2}");
        if (_quiet)
        {
            Console.Out.WriteLine(accuracy);
            LostFiles(result.Warnings);
            Failures(failed);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Evaluation");
        foreach (string c in new[] { "epoch", "lr", "drop path", "train loss", "train top1", "test loss", "test top1", "test top5", "s" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (EpochReport r in result.History)
            table.AddRow(r.Epoch.ToString(CultureInfo.InvariantCulture), $"{r.LearningRate:0.00000}", $"{r.DropPathProbability:0.000}", $"{r.TrainLoss:0.000}",
                $"{r.TrainAccuracy:P1}", $"{r.TestLoss:0.000}", $"{r.TestAccuracy:P1}", $"{r.TestTop5:P1}", $"{r.Elapsed.TotalSeconds:0.0}");
        if (result.History.Count > 0) AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(
            $"{accuracy}; {result.ParameterCount / 1e6:0.###} M parameters (+{result.AuxiliaryParameterCount / 1e6:0.###} M auxiliary head)"));
        Warnings(result.Warnings);
        Files(files, failed, result.Elapsed, result.Cancelled ? result.CheckpointPath : null);
    }

    private static void Event(string name, JsonObject fields)
    {
        var line = new JsonObject { ["event"] = name };
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            line[key] = value;
        }

        Console.Out.WriteLine(line.ToJsonString(JsonFormat.Compact));
    }

    private static string Phase(EpochReport r) => JsonNamingPolicy.CamelCase.ConvertName(r.Phase.ToString());

    private static void Warnings(IReadOnlyList<string> warnings)
    {
        foreach (string w in warnings)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}");
    }

    /// <summary>With --quiet, the warnings that say a file was lost (a checkpoint that could not be written): a lost file is always said.</summary>
    private static void LostFiles(IReadOnlyList<string> warnings)
    {
        foreach (string w in warnings.Where(w => w.StartsWith("Could not write", StringComparison.Ordinal)))
            Console.Error.WriteLine($"error: {w.ReplaceLineEndings(" ")}");
    }

    private static void Failures(IReadOnlyList<FileFailure> failed)
    {
        foreach (FileFailure f in failed)
            Console.Error.WriteLine($"error: could not write '{f.Path}': {f.Reason}");
    }

    private static void Files(IReadOnlyList<string> files, IReadOnlyList<FileFailure> failed, TimeSpan elapsed, string? resumeWith)
    {
        string folder = files.Count > 0 ? Path.GetDirectoryName(files[0]) ?? "." : ".";
        AnsiConsole.MarkupLine(Markup.Escape($"Wrote {files.Count} files in {folder} ({elapsed.TotalMinutes:0.0} min):"));
        foreach (string f in files)
            AnsiConsole.MarkupLine(Markup.Escape($"  {Path.GetFileName(f)}"));
        if (failed.Count > 0)
        {
            AnsiConsole.MarkupLine($"[red]Could not write {failed.Count} files[/] (the results above are complete):");
            foreach (FileFailure f in failed)
                AnsiConsole.MarkupLine(Markup.Escape($"  {f.Path}: {f.Reason}"));
        }

        if (resumeWith is not null)
            AnsiConsole.MarkupLine($"[yellow]Cancelled[/]; continue with --resume {Markup.Escape(resumeWith)}");
    }
}
