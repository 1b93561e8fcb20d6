using System.Text.Json;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>
/// A small local sweep through the CLI as a user runs it: 2 seeds x 2 strategies on tiny synthetic data, every search and
/// evaluation a child process; run again it skips what finished and continues what did not.
/// </summary>
public sealed class LocalSweepTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Sweep(string output) =>
    [
        "sweep", "--seeds", "2", "--strategies", "two-stage,random", "--data", "synthetic:64", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8",
        "--channels", "4", "--layers", "3", "--eval-epochs", "1", "--eval-steps-per-epoch", "2", "--eval-test-steps", "1", "--eval-batch-size", "8",
        "--eval-channels", "4", "--eval-layers", "3", "--parallel", "2", "--threads", "1", "--json", "--output", output,
    ];

    private static List<JsonElement> Events(string stdout) => [.. stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public void TwoSeedsTimesTwoStrategiesRunAsChildProcessesAndARerunSkipsWhatFinished()
    {
        string root = _dir.File("sweep");
        // Eight child processes, two at a time: a guard against a hang that a loaded machine cannot trip.
        var (exit, stdout, err) = CommandLineTests.RunWithin(TimeSpan.FromMinutes(10), Sweep(root));
        Assert.True(exit == 0, $"exit {exit}: {err}\n{stdout}");
        List<JsonElement> events = Events(stdout);
        JsonElement[] tasks = [.. events.Where(e => e.GetProperty("event").GetString() == "task")];
        Assert.Equal(8, tasks.Count(t => t.GetProperty("state").GetString() == "started")); // 4 searches, 4 evaluations
        Assert.Equal(8, tasks.Count(t => t.GetProperty("state").GetString() == "finished"));
        JsonElement done = events[^1];
        Assert.Equal(("done", 4, 4), (done.GetProperty("event").GetString(), done.GetProperty("tasks").GetInt32(), done.GetProperty("finished").GetInt32()));

        foreach (string strategy in new[] { "two-stage", "random" })
            foreach (int seed in new[] { 0, 1 })
            {
                string folder = Path.Combine(root, strategy, $"seed-{seed}");
                Assert.True(File.Exists(Path.Combine(folder, "search", "genotype.json")), folder);
                using JsonDocument result = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "evaluate", "result.json")));
                Assert.False(result.RootElement.GetProperty("cancelled").GetBoolean());
                Assert.True(File.Exists(Path.Combine(folder, "sweep.log")));
            }

        Assert.True(File.Exists(Path.Combine(root, "two-stage", "seed-1", "search", "two-stage.ckpt")));
        foreach (string file in new[] { "sweep.json", "summary.md", "summary.csv", "runs.csv", "summary.json", "sweep_accuracy.png" })
            Assert.True(File.Exists(Path.Combine(root, file)), file);
        using (JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "summary.json"))))
        {
            Assert.Equal(4, summary.RootElement.GetProperty("finished").GetInt32());
            Assert.Equal(["two-stage", "random"], summary.RootElement.GetProperty("strategies").EnumerateArray().Select(s => s.GetProperty("strategy").GetString()));
        }

        // Run again, with one evaluation's result gone (as if killed after its last checkpoint): that one continues, the rest is skipped.
        string searchResult = Path.Combine(root, "two-stage", "seed-0", "search", "result.json");
        DateTime written = File.GetLastWriteTimeUtc(searchResult);
        File.Delete(Path.Combine(root, "random", "seed-1", "evaluate", "result.json"));
        (exit, stdout, err) = CommandLineTests.RunWithin(TimeSpan.FromMinutes(10), Sweep(root));
        Assert.True(exit == 0, $"exit {exit}: {err}\n{stdout}");
        tasks = [.. Events(stdout).Where(e => e.GetProperty("event").GetString() == "task")];
        Assert.Equal(7, tasks.Count(t => t.GetProperty("state").GetString() == "skipped"));
        JsonElement continued = Assert.Single(tasks, t => t.GetProperty("state").GetString() == "continued");
        Assert.Equal(("random", 1L, "evaluate"), (continued.GetProperty("strategy").GetString(), continued.GetProperty("seed").GetInt64(), continued.GetProperty("step").GetString()));
        Assert.DoesNotContain(tasks, t => t.GetProperty("state").GetString() == "started");
        Assert.Equal(written, File.GetLastWriteTimeUtc(searchResult));
        Assert.Contains("'evaluate' '--resume'", File.ReadAllText(Path.Combine(root, "random", "seed-1", "sweep.log")));
    }
}
