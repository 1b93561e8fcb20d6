using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>Problems found when a command sets up, each a one-line error that names the real problem (and never a stack trace).</summary>
public sealed class SetUpErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertOneLine(string[] args, string expected) => CommandLineTests.AssertOneLineError(args, expected);

    [Theory]
    [InlineData("search")]
    [InlineData("evaluate")]
    public void ADeviceLibTorchCannotTrainOnIsRefusedBeforeTheRun(string command) =>
        AssertOneLine([command, "--device", "meta", "--data", "synthetic:64", "--epochs", "1"], "--device meta: Device 'meta' cannot train");

    [Fact]
    public void WithQuietAFailedCheckpointWriteIsStillSaid()
    {
        string run = _dir.File("run");
        Directory.CreateDirectory(Path.Combine(run, "two-stage.ckpt")); // a folder where the checkpoint goes: every write of it fails
        var (exit, stdout, err) = CommandLineTests.Run("search", "-q", "--data", "synthetic:64", "--epochs", "1", "--steps-per-epoch", "1", "--channels", "4",
            "--layers", "3", "--batch-size", "8", "--threads", "1", "-o", run);
        Assert.True(exit == 0, $"exit {exit}: {err}");
        Assert.StartsWith("normal cell:", stdout.Trim(), StringComparison.Ordinal);
        Assert.Contains($"error: Could not write the checkpoint '{Path.Combine(run, "two-stage.ckpt")}'", err);
    }
}
