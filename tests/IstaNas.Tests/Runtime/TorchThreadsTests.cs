using IstaNas.Runtime;

namespace IstaNas.Tests.Runtime;

public class TorchThreadsTests
{
    [Fact]
    public void TheLibraryLeavesTheOpenMpEnvironmentAloneOnLoad()
    {
        // The tests have loaded LibTorch long ago; IstaNas must not have set a wait policy behind their back.
        _ = TorchSharp.torch.ones(1);
        Assert.Null(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"));
    }

    [Fact]
    public void AWaitPolicyAfterLibTorchLoadedIsAClearErrorAndDefaultIsANoOp()
    {
        _ = TorchSharp.torch.ones(1);
        Assert.True(TorchThreads.IsOpenMpLoaded());
        var ex = Assert.Throws<InvalidOperationException>(() => TorchThreads.SetOpenMpWaitPolicy(OpenMpWaitPolicy.Passive));
        Assert.Contains("before the first TorchSharp call", ex.Message);
        TorchThreads.SetOpenMpWaitPolicy(OpenMpWaitPolicy.Default);
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.SetOpenMpWaitPolicy(OpenMpWaitPolicy.Active, spinCount: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.SetIntraOpThreads(0));
    }

    [Fact]
    public void TheSampleSetsThePolicyItIsAskedForBeforeTorchLoads()
    {
        var (exit, _, err) = Sample.CommandLineTests.Run("search", "--wait-policy", "sleepy");
        Assert.Equal(2, exit);
        Assert.Contains("--wait-policy 'sleepy' is not known", err);
        using var dir = new Data.TempDirectory();
        var (ok, _, okErr) = Sample.CommandLineTests.Run("search", "--wait-policy", "passive", "--spin-count", "1000", "--data", "synthetic:64", "--epochs", "1",
            "--steps-per-epoch", "1", "--batch-size", "8", "--channels", "4", "--layers", "3", "--quiet", "--output", dir.File("out"));
        Assert.True(ok == 0, okErr);
    }
}
