using System.Runtime.CompilerServices;

// Torch already uses both cores; running test classes in parallel only adds contention and cross-talk.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace IstaNas.Tests;

internal static class TestSetup
{
    /// <summary>
    /// One intra-op thread for the whole test run, whatever order the tests run in: the tensors here are tiny, so
    /// threads only add synchronisation (and on a loaded machine OpenMP spinning), and results are then reproducible
    /// between processes as well.
    /// </summary>
    /// <para>
    /// On a CPU where LibTorch's oneDNN convolutions compute wrong gradients (libtorch 2.10 on AMD Zen 5, say), oneDNN's
    /// convolutions are turned off for the run, as the CLI does and as the library tells its users to: the library itself
    /// refuses to train on such a CPU (TorchConvolutionsTests covers that refusal on every machine).
    /// </para>
    [ModuleInitializer]
    internal static void SingleThreadedTorch()
    {
        TorchSharp.torch.set_num_threads(1);
        // Only in the test host: the CLI tests load their own assembly into the CLI as a user's search space.
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "testhost" && !IstaNas.Runtime.TorchConvolutions.CheckGradients())
            IstaNas.Runtime.TorchConvolutions.SetOneDnnEnabled(false);
    }
}
