using System.Text.Json;
using IstaNas.Strategies;
using Spectre.Console;

namespace IstaNas.Sample;

/// <summary>What the user sees while a run goes: progress bars, one line per epoch, a summary table; or JSON lines; or nothing.</summary>
internal sealed class RunConsole(bool quiet, bool json, int epochs)
{
    private ProgressTask? _epochTask;
    private ProgressTask? _stepTask;

    public T Run<T>(Func<T> work)
    {
        if (quiet || json || !AnsiConsole.Profile.Capabilities.Interactive)
            return work();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _epochTask = ctx.AddTask("epochs", maxValue: epochs);
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
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(ResultWriter.ToJsonObject(r)));
            return;
        }
        if (quiet) return;
        if (_epochTask is not null)
        {
            _epochTask.MaxValue = r.Epochs;
            _epochTask.Value = r.Epoch;
            _epochTask.Description = $"{r.Phase} {r.Epoch}/{r.Epochs}";
        }
        string frozen = r.FrozenNodes.Count > 0 ? $" frozen {r.FrozenNodes.Count}/{Math.Max(r.ZMagnitude.Count, r.FrozenNodes.Count)}" : string.Empty;
        string dz = r.ZChange.Count > 0 ? $" max|dz| {r.ZChange.Values.Max():0.##e0}" : string.Empty;
        string validName = r.Phase == "evaluate" ? "test" : "valid";
        string top5 = double.IsFinite(r.ValidTop5) ? $" top5 {r.ValidTop5:P1}" : string.Empty;
        string valid = double.IsFinite(r.ValidLoss) ? $" {validName} {r.ValidLoss:0.000}/{r.ValidAccuracy:P1}{top5}" : string.Empty;
        AnsiConsole.MarkupLine(Markup.Escape(
            $"{r.Phase} {r.Epoch,3}/{r.Epochs} lr {r.LearningRate:0.00000} train {r.TrainLoss:0.000}/{r.TrainAccuracy:P1}{valid}{dz}{frozen} ({r.Elapsed.TotalSeconds:0.0} s)"));
    }

    public void Summary(SearchResult result, IReadOnlyList<string> files)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["done"] = true,
                ["cancelled"] = result.Cancelled,
                ["seconds"] = result.Elapsed.TotalSeconds,
                ["genotype"] = JsonDocument.Parse(result.Genotype.ToJson()).RootElement,
                ["files"] = files,
            }));
            return;
        }
        if (quiet)
        {
            Console.Out.WriteLine(result.Genotype.ToString());
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("Search summary");
        foreach (string c in new[] { "epoch", "phase", "train loss", "train top1", "valid loss", "valid top1", "max |dz|", "s" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (EpochReport r in result.History)
            table.AddRow(
                r.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Phase, $"{r.TrainLoss:0.000}", $"{r.TrainAccuracy:P1}",
                double.IsFinite(r.ValidLoss) ? $"{r.ValidLoss:0.000}" : "-", double.IsFinite(r.ValidAccuracy) ? $"{r.ValidAccuracy:P1}" : "-",
                r.ZChange.Count > 0 ? $"{r.ZChange.Values.Max():0.##e0}" : "-", $"{r.Elapsed.TotalSeconds:0.0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[bold]Genotype[/]{(result.Cancelled ? " [yellow](run cancelled; best so far)[/]" : string.Empty)}:");
        AnsiConsole.WriteLine(result.Genotype.ToString());
        AnsiConsole.MarkupLine($"Wrote {files.Count} files in {Markup.Escape(Path.GetDirectoryName(Path.GetFullPath(files[0])) ?? ".")} ({result.Elapsed.TotalMinutes:0.0} min).");
    }
}
