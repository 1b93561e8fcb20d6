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
}
