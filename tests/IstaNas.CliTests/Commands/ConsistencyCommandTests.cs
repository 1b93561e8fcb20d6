using System.Text.Json;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary><c>consistency</c> through the CLI on a tiny configuration: it trains the super-net, scores and trains every architecture, writes the results; run again it continues.</summary>
public sealed class ConsistencyCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Consistency(string output) =>
    [
        "consistency", "--data", "synthetic:160", "--epochs", "2", "--steps-per-epoch", "3", "--batch-size", "16", "--channels", "4", "--layers", "3",
        "--architectures", "3", "--calibration-batches", "2", "--eval-epochs", "1", "--eval-steps-per-epoch", "2", "--eval-batch-size", "16",
        "--eval-channels", "4", "--eval-layers", "3", "--threads", "1", "--json", "--output", output,
    ];

    [Fact]
    public void ATinyStudyWritesItsPointsTheStatisticsAndThePlotAndARerunTrainsNothing()
    {
        string output = _dir.File("study");
        var (exit, stdout, err) = CommandLineTests.Run(Consistency(output));
        Assert.True(exit == 0, $"exit {exit}: {err}");
        JsonElement[] events = [.. stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.Equal(3, events.Count(e => e.GetProperty("event").GetString() == "point"));
        JsonElement done = events[^1];
        Assert.Equal(3, done.GetProperty("architectures").GetInt32());
        double tau = done.GetProperty("kendallTau").GetDouble();
        Assert.InRange(tau, -1, 1);
        Assert.InRange(done.GetProperty("spearmanRho").GetDouble(), -1, 1);
        foreach (string file in new[] { "consistency.json", "consistency.csv", "consistency.png", "consistency.log", "supernet/random.ckpt", "standalone/arch-002/standalone.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        using (JsonDocument saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "consistency.json"))))
        {
            Assert.Equal(3, saved.RootElement.GetProperty("points").GetArrayLength());
            Assert.Equal(tau, saved.RootElement.GetProperty("kendallTau").GetDouble());
        }

        DateTime trained = File.GetLastWriteTimeUtc(Path.Combine(output, "standalone", "arch-000", "evaluation.ckpt"));
        (exit, stdout, err) = CommandLineTests.Run(Consistency(output));
        Assert.True(exit == 0, $"exit {exit}: {err}");
        Assert.Equal(tau, JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("kendallTau").GetDouble());
        Assert.Equal(trained, File.GetLastWriteTimeUtc(Path.Combine(output, "standalone", "arch-000", "evaluation.ckpt")));
    }
}
