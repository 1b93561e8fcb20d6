using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using IstaNas.IO;
using IstaNas.Training;

namespace IstaNas.Cli;

/// <summary>The <c>aggregate</c> command: summarise the run folders of a sweep per strategy (Markdown, CSV, JSON and a plot).</summary>
internal static class AggregateCommand
{
    private static readonly Option<string> Input = new("--input", "-i") { Description = "The sweep's folder (with sweep.json, or STRATEGY/seed-N/{search,evaluate} folders).", Required = true };

    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Where to write summary.md/.csv/.json, runs.csv and sweep_accuracy.png (default: --input)." };

    private static readonly Option<bool> Json = new("--json") { Description = "Print a JSON summary on stdout." };

    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the table." };

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("aggregate",
        "Summarise a sweep's run folders per strategy: test accuracy (mean \u00b1 std, best), search and evaluation time, parameters; unfinished runs are listed, " +
        "not counted. Writes summary.md, summary.csv, runs.csv, summary.json and sweep_accuracy.png.",
        [Input, Output, Json, Quiet],
        (p, _) => Run(p));

    private static int Run(ParseResult p)
    {
        var console = new QualityConsole(p.GetValue(Quiet), p.GetValue(Json));
        SweepAggregate aggregate = SweepAggregate.Read(p.GetValue(Input)!);
        string output = RunOutput.CheckFolder(p.GetValue(Output) ?? aggregate.Root, "--output");
        SavedFiles saved = aggregate.Write(output);
        console.Event("done", new JsonObject
        {
            ["command"] = "aggregate",
            ["root"] = aggregate.Root,
            ["runs"] = aggregate.Runs.Count,
            ["finished"] = aggregate.Runs.Count(r => r.Finished),
            ["strategies"] = JsonSerializer.SerializeToNode(aggregate.Strategies, JsonFormat.Compact),
            ["notFinished"] = JsonSerializer.SerializeToNode(aggregate.Runs.Where(r => !r.Finished), JsonFormat.Compact),
            ["files"] = JsonSerializer.SerializeToNode(saved.Written),
            ["failedFiles"] = JsonSerializer.SerializeToNode(saved.Failed, JsonFormat.Compact),
        });
        console.Result(Table(aggregate));
        foreach (SweepRun r in aggregate.Runs.Where(r => !r.Finished))
            console.Line($"not counted: {r.Strategy} seed {r.Seed}: {r.Status} ({r.Folder})");
        console.Line($"Wrote {string.Join(", ", saved.Written.Select(Path.GetFileName))} in {Path.GetFullPath(output)}");
        QualityConsole.Failures(saved.Failed);
        return saved.AllWritten ? 0 : 1;
    }

    /// <summary>The per-strategy table of summary.md.</summary>
    public static string Table(SweepAggregate aggregate)
    {
        string markdown = aggregate.Markdown();
        int start = markdown.IndexOf("| strategy", StringComparison.Ordinal);
        int end = markdown.IndexOf("\n\n", start, StringComparison.Ordinal);
        return markdown[start..end];
    }
}
