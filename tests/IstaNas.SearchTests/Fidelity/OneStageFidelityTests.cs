using IstaNas.Networks;
using IstaNas.Strategies;
using IstaNas.Tests.Strategies;
using BatchNorm2d = TorchSharp.Modules.BatchNorm2d;

namespace IstaNas.Tests.Fidelity;

/// <summary>One-stage search as the authors' ista_nas_single code runs it.</summary>
public class OneStageFidelityTests
{
    private static SearchResult Run(double epsilon, int trainEpochs, CancellationTokenSource? cancelAfterFirstEpoch = null)
    {
        var builder = new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 128))
            .ConfigureSearchSpace(s => s.Operations = [IstaNas.Architecture.Operations.SepConv3x3]) // every node selects SepConvs
            .UseOneStage(o =>
            {
                TinySearch.Configure(o, epochs: trainEpochs, steps: 3);
                o.Auxiliary = false;
                o.ParameterBudgetMillions = null;
                o.Epsilon = epsilon;
                o.MaxSearchEpochs = 4;
            })
            .UseSeed(11);
        if (cancelAfterFirstEpoch is not null)
            builder.WithProgress(new InlineProgress<EpochReport>(_ => cancelAfterFirstEpoch.Cancel()));
        return builder.Build().Run(cancelAfterFirstEpoch?.Token ?? default);
    }

    private static BatchNorm2d[] InnerBatchNorms(EvaluationNetwork net) =>
        [.. net.named_modules().Where(m => m.name.EndsWith(".bn1", StringComparison.Ordinal)).Select(m => (BatchNorm2d)m.module)];

    [Fact]
    public void SepConvInnerBatchNormsStayAtOneAndZeroWhileNodesSearchAndTrainOnceTheyFreeze()
    {
        // Searching only (epsilon 0: nothing converges; cancelled after one epoch): every inner BN is untouched.
        using var cts = new CancellationTokenSource();
        SearchResult searching = Run(epsilon: 0, trainEpochs: 1, cts);
        Assert.True(searching.Cancelled);
        using (var net = (EvaluationNetwork)searching.Network!)
        {
            BatchNorm2d[] inner = InnerBatchNorms(net);
            Assert.NotEmpty(inner);
            Assert.All(inner, bn =>
            {
                Assert.Equal(1f, bn.weight!.min().item<float>());
                Assert.Equal(1f, bn.weight!.max().item<float>());
                Assert.Equal(0f, bn.bias!.abs().max().item<float>());
            });
        }

        // Frozen after the first epoch (epsilon 10), then trained: the inner BNs of the selected SepConvs learn.
        SearchResult trained = Run(epsilon: 10, trainEpochs: 2);
        using (var net = (EvaluationNetwork)trained.Network!)
            Assert.Contains(InnerBatchNorms(net), bn => bn.weight!.sub(1).abs().max().item<float>() > 0);
    }
}
