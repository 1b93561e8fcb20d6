using IstaNas.Runtime;

namespace IstaNas.Tests.Runtime;

public class TorchThreadsTests
{
    [Fact]
    public void TheLibraryLeavesTheOpenMpEnvironmentAloneOnLoad()
    {
        // The tests have loaded LibTorch long ago; IstaNas must not have set a wait policy behind their back. The variables
        // are compared with what the process started with (the suite may well run with OMP_WAIT_POLICY=PASSIVE set).
        _ = TorchSharp.torch.ones(1);
        foreach (string name in new[] { "OMP_WAIT_POLICY", "GOMP_SPINCOUNT" })
            Assert.Equal(AtStart(name), Environment.GetEnvironmentVariable(name));
    }

    /// <summary>The variable as the process started with it: /proc/self/environ does not follow later changes.</summary>
    private static string? AtStart(string name)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string prefix = name + "=";
        return File.ReadAllText("/proc/self/environ").Split('\0').FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
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
