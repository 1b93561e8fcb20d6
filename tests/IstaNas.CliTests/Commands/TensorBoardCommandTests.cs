using System.Text.Json;
using IstaNas.Tests.Data;
using IstaNas.Tests.Training;
using static IstaNas.Tests.Training.TensorBoardEvents;

namespace IstaNas.Tests.Commands;

/// <summary>
/// The CLI's <c>--tensorboard</c>: the event files it writes (read back with the independent reader) hold the epochs
/// it prints, and a log directory that cannot be created is one line and exit code 2.
/// </summary>
public class TensorBoardCommandTests
{
    [Fact]
    public void TheTensorBoardOptionWritesTheEpochsOfSearchAndEvaluate()
    {
        using var dir = new TempDirectory();
        string searchLogs = dir.File("tb/search"), evaluateLogs = dir.File("tb/evaluate");
        var (exitS, search, errS) = CommandLineTests.Run("search", "--data", "synthetic:64", "--epochs", "2", "--steps-per-epoch", "1", "--batch-size", "8",
            "--channels", "4", "--layers", "3", "--threads", "1", "--json", "--output", dir.File("s"), "--tensorboard", searchLogs);
        Assert.True(exitS == 0, errS);
        var (exitE, evaluate, errE) = CommandLineTests.Run("evaluate", "--genotype", "darts_v2", "--data", "synthetic:40", "--epochs", "1", "--steps-per-epoch", "1",
            "--test-steps", "1", "--batch-size", "8", "--channels", "4", "--layers", "3", "--threads", "1", "--json", "--output", dir.File("e"),
            "--tensorboard", evaluateLogs);
        Assert.True(exitE == 0, errE);

        foreach (var (stdout, logs, tag, field) in new[] { (search, searchLogs, "loss/valid", "validLoss"), (evaluate, evaluateLogs, "accuracy/test", "testAccuracy") })
        {
            JsonElement[] epochs = [.. stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("event").GetString() == "epoch")];
            var scalars = TensorBoardEvents.Scalars(TensorBoardEvents.ReadDirectory(logs));
            Assert.Equal(epochs.Length, scalars.Select(s => s.Step).Distinct().Count());
            foreach (JsonElement epoch in epochs)
            {
                Dictionary<string, float> at = At(scalars, epoch.GetProperty("epoch").GetInt32());
                Assert.Equal((float)epoch.GetProperty("trainLoss").GetDouble(), at["loss/train"]);
                Assert.Equal((float)epoch.GetProperty(field).GetDouble(), at[tag]);
            }
        }

        // A directory that cannot be created: one line, exit code 2, no output folder left behind.
        string taken = dir.File("taken");
        File.WriteAllText(taken, "");
        var (exit, _, err) = CommandLineTests.Run("evaluate", "--genotype", "darts_v2", "--data", "synthetic:40", "--output", dir.File("bad"), "--tensorboard", taken);
        Assert.Equal(2, exit);
        Assert.Equal($"error: Cannot create the TensorBoard log directory '{taken}': a file of that name is in the way.", err.Trim());
        Assert.False(Directory.Exists(dir.File("bad")));
    }
}
