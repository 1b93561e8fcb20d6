using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Evaluation;
using TorchSharp;
using Xunit.Abstractions;

namespace IstaNas.Tests.Strategies;

/// <summary>
/// Every run on the training loop (the library's own steps, not copies of them) keeps memory flat: within an epoch the
/// live TorchSharp tensors do not grow from one step to the next (between epochs they may, by the optimiser's momentum
/// buffers of candidates that run for the first time after a recovery), and the working set stays within a tolerance.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public class FlatMemoryTests(ITestOutputHelper output)
{
    private const int Epochs = 4;
    private const int Steps = 12;

    public static TheoryData<string> Runs() => new() { "two-stage", "darts", "one-stage", "evaluation" };

    [Theory]
    [MemberData(nameof(Runs))]
    public void LiveTensorsStayConstantWithinEveryEpochAndTheWorkingSetStaysFlat(string run)
    {
        var live = new List<(int Epoch, int Step, long Count)>();
        var workingSets = new List<long>();
        var steps = new InlineProgress<StepReport>(r => live.Add((r.Epoch, r.Step, LiveTensors())));
        var epochs = new InlineProgress<EpochReport>(_ => workingSets.Add(WorkingSet()));
        var clock = Stopwatch.StartNew();
        Run(run, steps, epochs);

        output.WriteLine($"{run}: {Epochs} epochs of {Steps} steps in {clock.Elapsed.TotalSeconds:0.0} s; live tensors per epoch " +
                         string.Join(" | ", live.GroupBy(l => l.Epoch).Select(g => string.Join(",", g.Select(l => l.Count)))) +
                         $"; working set {string.Join(" ", workingSets.Select(w => $"{w / 1e6:0.0}"))} MB");
        Assert.Equal(Epochs * Steps, live.Count);
        foreach (var epoch in live.GroupBy(l => l.Epoch))
        {
            long[] counts = [.. epoch.Skip(1).Select(l => l.Count)]; // from the second step on, every momentum buffer of the support exists
            Assert.True(counts.All(c => c == counts[0]), $"{run}, epoch {epoch.Key}: live tensors {string.Join(", ", epoch.Select(l => l.Count))}");
        }

        Assert.True(workingSets[^1] - workingSets[1] < 24_000_000,
            $"{run}: the working set grew from {workingSets[1] / 1e6:0.0} MB to {workingSets[^1] / 1e6:0.0} MB after the first epochs.");
    }

    private static void Run(string run, IProgress<StepReport> steps, IProgress<EpochReport> epochs)
    {
        if (run == "evaluation")
        {
            var options = new EvaluationOptions
            {
                Epochs = Epochs, MaxStepsPerEpoch = Steps, MaxTestSteps = 1, BatchSize = 8, Channels = 4, Layers = 3, Auxiliary = false, Seed = 2,
            };
            using var network = new EvaluationTrainer(Genotype.DartsV2, options) { StepProgress = steps }
                .Train(TinySearch.Data(count: 128), TinySearch.Data(count: 16, seed: 9), epochs).Network;
            return;
        }

        var builder = new SearchBuilder().UseDataset(TinySearch.Data(count: 256)).UseSeed(2).WithStepProgress(steps).WithProgress(epochs);
        Action<TrainingOptions> tiny = o =>
        {
            TinySearch.Configure(o, epochs: Epochs, steps: Steps);
            o.BatchSize = 8;
        };
        _ = run switch
        {
            "two-stage" => builder.UseTwoStage(tiny),
            "darts" => builder.UseDarts(tiny),
            _ => builder.UseOneStage(o =>
            {
                tiny(o);
                o.Epochs = 2;
                o.MaxSearchEpochs = 2; // 2 search and 2 training epochs
                o.Auxiliary = false;
                o.ParameterBudgetMillions = null;
            }),
        };
        builder.Build().Run().Network?.Dispose();
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
