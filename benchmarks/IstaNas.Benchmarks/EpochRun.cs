using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using TorchSharp;
using static TorchSharp.torch;

using IstaNas.Training;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>epoch [steps=10] [C=16] [L=8] [B=64] [images=50000]</c>: one epoch of two-stage search on the synthetic set at the
/// proxy size, the strategy's step logic with a Stopwatch around each part: data loading (batch creation and
/// augmentation), network (b-step + W-step) and the recovery of z at the epoch end. Capped at <c>steps</c> minibatches;
/// the full epoch (images / 2 / B steps) is extrapolated linearly from the measured mean step, and says so.
/// </summary>
internal static class EpochRun
{
    public static void Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0]) : 10;
        int c = args.Length > 1 ? int.Parse(args[1]) : 16;
        int l = args.Length > 2 ? int.Parse(args[2]) : 8;
        int b = args.Length > 3 ? int.Parse(args[3]) : 64;
        int images = args.Length > 4 ? int.Parse(args[4]) : 50_000;
        set_num_threads(2);
        var total = Stopwatch.StartNew();
        var build = Stopwatch.StartNew();
        ImageDataset data = Synthetic.Create(Math.Max(2 * b * (steps + 1), 512), 1);
        (ImageDataset trainSet, ImageDataset validSet) = data.Split(0.5);
        var augmentation = AugmentationPipeline.Standard();
        var trainLoader = new IstaNas.Data.DataLoader(trainSet, new DataLoaderOptions { BatchSize = b, Shuffle = true, Seed = 1, DropLast = true, Augmentation = augmentation });
        var validLoader = new IstaNas.Data.DataLoader(validSet, new DataLoaderOptions { BatchSize = b, Shuffle = true, Seed = 2, DropLast = true, Augmentation = augmentation });
        torch.random.manual_seed(1);
        using var space = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), 1);
        using var net = new SearchNetwork(new SuperNetOptions { Channels = c, Layers = l, Classes = 10 });
        var weights = net.WeightParameters().ToArray();
        using var wOptimizer = optim.SGD(weights, 0.025, 0.9, weight_decay: 3e-4);
        using var bOptimizer = optim.Adam(space.LatentParameters, 3e-4, 0.5, 0.999, weight_decay: 1e-3);
        using var metrics = new RunningMetrics(CPU);
        net.train();
        build.Stop();

        TimeSpan loading = default, network = default;
        var epoch = Stopwatch.StartNew();
        using (var trainBatches = trainLoader.GetEpoch(0).GetEnumerator())
        using (var validBatches = validLoader.GetEpoch(0).GetEnumerator())
        {
            for (int step = 0; step < steps; step++)
            {
                long t0 = Stopwatch.GetTimestamp();
                trainBatches.MoveNext();
                validBatches.MoveNext();
                using Batch train = trainBatches.Current;
                using Batch valid = validBatches.Current;
                long t1 = Stopwatch.GetTimestamp();
                using (NewDisposeScope())
                {
                    bOptimizer.zero_grad();
                    net.SetArchitecture(space);
                    Tensor validLoss = nn.functional.cross_entropy(net.forward(valid.Images), valid.Labels);
                    validLoss.backward();
                    bOptimizer.step();
                    wOptimizer.zero_grad();
                    using (no_grad()) net.SetArchitecture(space);
                    Tensor logits = net.forward(train.Images);
                    Tensor loss = nn.functional.cross_entropy(logits, train.Labels);
                    loss.backward();
                    nn.utils.clip_grad_norm_(weights, 5.0);
                    wOptimizer.step();
                    metrics.Add(loss, logits, train.Labels);
                }
                long t2 = Stopwatch.GetTimestamp();
                loading += Stopwatch.GetElapsedTime(t0, t1);
                network += Stopwatch.GetElapsedTime(t1, t2);
            }
        }
        _ = metrics.MeanLoss;
        var rec = Stopwatch.StartNew();
        space.Recover();
        _ = space.DeriveGenotype();
        rec.Stop();
        epoch.Stop();

        using var self = Process.GetCurrentProcess();
        int fullSteps = images / 2 / b;
        double perStep = (loading + network).TotalSeconds / steps;
        double measured = epoch.Elapsed.TotalSeconds;
        double extrapolated = (perStep * fullSteps) + rec.Elapsed.TotalSeconds;
        Console.WriteLine($"two-stage epoch, C={c} L={l} B={b}, {steps} of {fullSteps} steps measured (threads {get_num_threads()})");
        Console.WriteLine($"  set-up (data, space, network): {build.Elapsed.TotalSeconds:0.00} s");
        Console.WriteLine($"  measured: {measured:0.00} s = data {loading.TotalSeconds:0.00} s ({loading.TotalSeconds / measured:P1}), " +
                          $"network {network.TotalSeconds:0.00} s ({network.TotalSeconds / measured:P1}), recovery {rec.Elapsed.TotalMilliseconds:0.0} ms ({rec.Elapsed.TotalSeconds / measured:P2})");
        Console.WriteLine($"  per step: {perStep:0.000} s (data {loading.TotalSeconds / steps:0.0000} s, network {network.TotalSeconds / steps:0.000} s)");
        Console.WriteLine($"  extrapolated full epoch ({fullSteps} steps of {images / 2} images each side, linear in steps): {extrapolated / 60:0.0} min; " +
                          $"50 epochs: {extrapolated * 50 / 3600:0.0} h; recovery share of the full epoch {rec.Elapsed.TotalSeconds / extrapolated:P3}");
        Console.WriteLine($"  peak working set {self.PeakWorkingSet64 / 1e6:0} MB, working set now {self.WorkingSet64 / 1e6:0} MB, " +
                          $"managed heap {GC.GetTotalMemory(false) / 1e6:0.0} MB, GC gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, total {total.Elapsed.TotalSeconds:0.0} s");
    }
}
