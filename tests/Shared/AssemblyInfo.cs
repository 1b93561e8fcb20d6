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
    [ModuleInitializer]
    internal static void SingleThreadedTorch() => TorchSharp.torch.set_num_threads(1);
}
