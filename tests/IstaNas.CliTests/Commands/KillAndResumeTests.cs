using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>
/// A run killed with SIGKILL (no chance to save anything) and continued with <c>--resume CKPT</c> alone ends exactly where
/// an uninterrupted run ends: same genotype, history and weights. Every process runs one intra-op thread, which bit-exact
/// resume needs.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Search(string strategy, string output) =>
    [
        "search", "--strategy", strategy, "--data", "synthetic:96", "--epochs", "3", "--steps-per-epoch", "3", "--batch-size", "8",
        "--channels", "4", "--layers", "3", "--seed", "4", "--threads", "1", "--json", "--output", output,
    ];

    [Theory]
    [InlineData("two-stage", "two-stage.ckpt", "b-optimizer")]
    [InlineData("darts", "darts.ckpt", "alpha-optimizer")]
    public void KilledWithSigkillAndResumedFromTheCheckpointAloneEndsBitIdentical(string strategy, string checkpoint, string architectureOptimizer)
    {
        string full = _dir.File("full"), killed = _dir.File("killed");
        List<JsonElement> uninterrupted = CliProcess.RunToEnd(Search(strategy, full));

        CliProcess.RunAndKillAfterTheFirstEpoch(Search(strategy, killed));
        int saved = Checkpoint.Load(Path.Combine(killed, checkpoint)).Metadata.Epoch;
        Assert.InRange(saved, 1, 2); // killed after an epoch boundary's checkpoint, before the end
        Assert.False(File.Exists(Path.Combine(killed, "genotype.json")));

        List<JsonElement> resumed = CliProcess.RunToEnd(["search", "--resume", Path.Combine(killed, checkpoint), "--threads", "1", "--json"]);

        JsonElement doneA = uninterrupted[^1], doneB = resumed[^1];
        Assert.Equal("done", doneB.GetProperty("event").GetString());
        Assert.Equal(3, doneB.GetProperty("epochs").GetInt32());
        Assert.Equal(doneA.GetProperty("genotype").GetRawText(), doneB.GetProperty("genotype").GetRawText());
        Assert.Equal(File.ReadAllText(Path.Combine(full, "genotype.json")), File.ReadAllText(Path.Combine(killed, "genotype.json")));
        CliProcess.AssertSameEnd(full, killed, checkpoint, "network", "w-optimizer", architectureOptimizer);
    }
}
