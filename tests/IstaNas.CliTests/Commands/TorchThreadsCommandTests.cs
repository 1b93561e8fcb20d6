using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>The CLI's <c>--wait-policy</c> and <c>--spin-count</c>, which it must apply before TorchSharp loads.</summary>
public class TorchThreadsCommandTests
{
    [Fact]
    public void TheCliSetsThePolicyItIsAskedForBeforeTorchLoads()
    {
        var (exit, _, err) = CommandLineTests.Run("search", "--wait-policy", "sleepy");
        Assert.Equal(2, exit);
        Assert.Contains("--wait-policy 'sleepy' is not known", err);
        using var dir = new TempDirectory();
        var (ok, _, okErr) = CommandLineTests.Run("search", "--wait-policy", "passive", "--spin-count", "1000", "--data", "synthetic:64", "--epochs", "1",
            "--steps-per-epoch", "1", "--batch-size", "8", "--channels", "4", "--layers", "3", "--quiet", "--output", dir.File("out"));
        Assert.True(ok == 0, okErr);
    }
}
