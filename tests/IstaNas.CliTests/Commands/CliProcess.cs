using System.Diagnostics;
using System.Text.Json;
using IstaNas.Checkpoints;

namespace IstaNas.Tests.Commands;

/// <summary>The built CLI as a child process with <c>--json</c> events on stdout: run to the end, or killed after its first epoch.</summary>
internal static class CliProcess
{
    private static ProcessStartInfo Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(IstaNas.Cli.DataSpec).Assembly.Location);
        foreach (string a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs to the end; returns the JSON events.</summary>
    public static List<JsonElement> RunToEnd(IEnumerable<string> args)
    {
        using var p = Process.Start(Start(args))!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        var events = new List<JsonElement>();
        while (p.StandardOutput.ReadLine() is string line)
            events.Add(JsonDocument.Parse(line).RootElement.Clone());
        Assert.True(p.WaitForExit(300_000), "the CLI did not finish in 5 minutes");
        Assert.True(p.ExitCode == 0, $"exit code {p.ExitCode}: {err.Result}");
        return events;
    }

    /// <summary>Runs until the first epoch event, then kills the process with SIGKILL.</summary>
    public static void RunAndKillAfterTheFirstEpoch(IEnumerable<string> args)
    {
        using var p = Process.Start(Start(args))!;
        _ = p.StandardError.ReadToEndAsync();
        while (p.StandardOutput.ReadLine() is string line)
        {
            if (JsonDocument.Parse(line).RootElement.GetProperty("event").GetString() == "epoch")
            {
                p.Kill(); // SIGKILL: the process gets no chance to write anything
                break;
            }
        }

        p.WaitForExit();
        Assert.True(p.ExitCode != 0, "the run finished before it was killed after its first epoch");
    }

    /// <summary>
    /// Asserts that the run in <paramref name="killed"/> (killed, then resumed) ended as the uninterrupted one in
    /// <paramref name="full"/>: the same training loss per epoch and the same bytes in each of the checkpoint's <paramref name="sections"/>.
    /// </summary>
    public static void AssertSameEnd(string full, string killed, string checkpoint, params string[] sections)
    {
        static double[] Losses(string dir) =>
            [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "history.json"))).RootElement.EnumerateArray().Select(e => e.GetProperty("trainLoss").GetDouble())];
        Assert.Equal(Losses(full), Losses(killed));
        Checkpoint a = Checkpoint.Load(Path.Combine(full, checkpoint)), b = Checkpoint.Load(Path.Combine(killed, checkpoint));
        foreach (string section in sections)
            Assert.True(a.ReadSection(section).AsSpan().SequenceEqual(b.ReadSection(section)), $"section '{section}' differs");
    }
}
