using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.Strategies;

/// <summary>
/// The two-stage search step (alpha from the space, b-step, W-step, recovery every "epoch") must not leak tensors or
/// native memory: after a warm-up, live TorchSharp tensors stay constant and the working set stays within a tolerance.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public class FlatMemoryTests(ITestOutputHelper output)
{
    private const int Steps = 100;
    private const int WarmUp = 20;
    private const int StepsPerEpoch = 20;

    [Fact]
    public void SparseSearchStepsKeepLiveTensorsAndMemoryFlat()
    {
        torch.random.manual_seed(1);
        using var space = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), 1);
        using var net = new SearchNetwork(new SuperNetOptions { Channels = 4, Layers = 3, Classes = 10 });
        var weights = net.WeightParameters().ToArray();
        using var wOptimizer = optim.SGD(weights, 0.025, 0.9, weight_decay: 3e-4);
        using var bOptimizer = optim.Adam(space.LatentParameters, 3e-4, 0.5, 0.999, weight_decay: 1e-3);
        using var trainX = torch.randn(4, 3, 8, 8);
        using var validX = torch.randn(4, 3, 8, 8);
        using var trainY = torch.randint(0, 10, [4], dtype: int64);
        using var validY = torch.randint(0, 10, [4], dtype: int64);
        using var metrics = new RunningMetrics(CPU);
        net.train();
        // SGD creates a momentum buffer the first time a parameter has a gradient, and the support (which candidates
        // run) changes with every recovery: one W-step through every candidate creates all of them up front, so that
        // any later growth is a leak rather than optimiser state.
        using (NewDisposeScope())
        {
            foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
                net.SetArchitecture(cell, [.. Enumerable.Range(0, 4).Select(i =>
                    new NodeWeights([.. Enumerable.Range(0, (i + 2) * 7)], torch.full((i + 2) * 7, 0.1f)))]);
            wOptimizer.zero_grad();
            nn.functional.cross_entropy(net.forward(trainX), trainY).backward();
            wOptimizer.step();
        }

        long liveAtWarmUp = 0, workingSetAtWarmUp = 0;
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < Steps; step++)
        {
            using (NewDisposeScope())
            {
                bOptimizer.zero_grad();
                net.SetArchitecture(space);
                Tensor validLoss = nn.functional.cross_entropy(net.forward(validX), validY);
                validLoss.backward();
                bOptimizer.step();

                wOptimizer.zero_grad();
                using (no_grad()) net.SetArchitecture(space);
                Tensor logits = net.forward(trainX);
                Tensor loss = nn.functional.cross_entropy(logits, trainY);
                loss.backward();
                nn.utils.clip_grad_norm_(weights, 5.0);
                wOptimizer.step();
                metrics.Add(loss, logits, trainY);
            }
            if ((step + 1) % StepsPerEpoch == 0)
            {
                space.Recover();
                _ = metrics.MeanLoss;
            }
            if (step + 1 == WarmUp)
            {
                liveAtWarmUp = LiveTensors();
                workingSetAtWarmUp = WorkingSet();
            }
        }
        long liveAtEnd = LiveTensors();
        long workingSetAtEnd = WorkingSet();
        output.WriteLine(
            $"{Steps} steps in {clock.Elapsed.TotalSeconds:0.0} s; live tensors {liveAtWarmUp} -> {liveAtEnd}; " +
            $"working set {workingSetAtWarmUp / 1e6:0.0} MB -> {workingSetAtEnd / 1e6:0.0} MB");

        Assert.True(liveAtEnd <= liveAtWarmUp, $"Live tensors grew from {liveAtWarmUp} to {liveAtEnd} over {Steps - WarmUp} steps.");
        Assert.True(workingSetAtEnd - workingSetAtWarmUp < 24_000_000,
            $"Working set grew from {workingSetAtWarmUp / 1e6:0.0} MB to {workingSetAtEnd / 1e6:0.0} MB over {Steps - WarmUp} steps.");
    }

    private static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
