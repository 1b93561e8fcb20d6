using System.Text.Json.Nodes;
using IstaNas.IO;
using IstaNas.Training;

namespace IstaNas.Cli;

/// <summary>
/// What <c>consistency</c>, <c>sweep</c> and <c>aggregate</c> print: plain lines, or with <c>--json</c> one JSON object per
/// line (the same <c>{"event": ...}</c> form as <see cref="RunConsole"/>), or with <c>--quiet</c> only the final result.
/// </summary>
internal sealed class QualityConsole(bool quiet, bool json)
{
    public bool Json => json;

    /// <summary>A progress line (not with --quiet or --json).</summary>
    public void Line(string text)
    {
        if (!quiet && !json) Console.Out.WriteLine(text);
    }

    /// <summary>A result line: printed unless --json.</summary>
    public void Result(string text)
    {
        if (!json) Console.Out.WriteLine(text);
    }

    /// <summary>A JSON event (with --json only).</summary>
    public void Event(string name, JsonObject fields)
    {
        if (!json) return;
        var line = new JsonObject { ["event"] = name };
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            line[key] = value;
        }

        Console.Out.WriteLine(line.ToJsonString(JsonFormat.Compact));
    }

    /// <summary>Files that could not be written, on stderr.</summary>
    public static void Failures(IEnumerable<FileFailure> failed)
    {
        foreach (FileFailure f in failed)
            Console.Error.WriteLine($"error: could not write '{f.Path}': {f.Reason}");
    }
}
