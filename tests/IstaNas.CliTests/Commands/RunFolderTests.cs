using System.Diagnostics;
using System.Text.Json;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>
/// One run per folder: a second run into a folder in use is refused in one line naming the folder and the process that
/// holds it, and writes nothing there; the lock of a run killed with SIGKILL does not block its <c>--resume</c>.
/// </summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(IstaNas.Cli.DataSpec).Assembly.Location);
        foreach (string a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Reads JSON events until the first epoch: the process is then running and holds its folder.</summary>
    private static void WaitForAnEpoch(Process p)
    {
        _ = p.StandardError.ReadToEndAsync();
        while (p.StandardOutput.ReadLine() is string line)
            if (JsonDocument.Parse(line).RootElement.GetProperty("event").GetString() == "epoch") return;
        Assert.Fail($"the run ended (exit {(p.WaitForExit(10_000) ? p.ExitCode : -1)}) before its first epoch");
    }

    [Fact]
    public void ASecondRunIntoAFolderInUseIsRefusedAndAKilledRunsLockDoesNotBlockItsResume()
    {
        string folder = _dir.File("run");
        string[] search =
        [
            "search", "--data", "synthetic:64", "--epochs", "400", "--steps-per-epoch", "2", "--batch-size", "8", "--channels", "4", "--layers", "3",
            "--threads", "1", "--json", "--output", folder,
        ];
        using Process first = Start(search);
        try
        {
            WaitForAnEpoch(first);
            string log = Path.Combine(folder, "search.log");
            long logLength = new FileInfo(log).Length;

            var (exit, _, err) = CommandLineTests.Run([.. search.Select(a => a == "400" ? "1" : a)]);
            Assert.True(exit == 2, $"exit {exit}: {err}");
            Assert.StartsWith($"error: Output folder '{folder}' is in use by process {first.Id} on {Environment.MachineName}", err, StringComparison.Ordinal);
            Assert.Single(err.Trim().Split('\n'));
            Assert.True(new FileInfo(log).Length >= logLength, "the refused run did not truncate the first run's log");
            Assert.False(File.Exists(Path.Combine(folder, "result.json")));
        }
        finally
        {
            first.Kill(); // SIGKILL: the lock file stays behind, unlocked
            first.WaitForExit();
        }

        Assert.True(File.Exists(Path.Combine(folder, ".istanas-run.lock")));
        using Process resumed = Start("search", "--resume", Path.Combine(folder, "two-stage.ckpt"), "--threads", "1", "--json");
        try
        {
            WaitForAnEpoch(resumed); // it took the folder and trained
            Assert.Contains($"process {resumed.Id} ", File.ReadAllText(Path.Combine(folder, ".istanas-run.owner")));
        }
        finally
        {
            resumed.Kill();
            resumed.WaitForExit();
        }
    }

    [Theory]
    [InlineData("search")]
    [InlineData("evaluate")]
    public void AnEmptyOutputOrOneUnderAFileIsNamed(string command)
    {
        string file = _dir.File("plain-file");
        File.WriteAllText(file, "x");
        string[] args = command == "evaluate" ? [command, "--genotype", "darts_v2", "--data", "synthetic:64", "--epochs", "1"] : [command, "--data", "synthetic:64", "--epochs", "1"];
        var (exit, _, err) = CommandLineTests.Run([.. args, "-o", ""]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --output is empty", err, StringComparison.Ordinal);
        (exit, _, err) = CommandLineTests.Run([.. args, "-o", Path.Combine(file, "run")]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --output '{Path.Combine(file, "run")}': '{file}' is a file, so no folder can be made under it.", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }
}
