using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Strategies;

[Collection(GlobalRandomCollection.Name)]
public class DartsStrategyTests
{
    private static readonly IReadOnlyList<string> Ops = DartsSearchSpace.DenseOperations(Operations.Default);

    private static int Col(string op) => Ops.ToList().IndexOf(op);

    /// <summary>Hand-made alphas: edge e of node i gets a strong none, and chosen (op, value) entries.</summary>
    private static Tensor Alphas(Action<float[,]> fill)
    {
        var a = new float[DartsSearchSpace.EdgeCount(4), Ops.Count];
        fill(a);
        var flat = new float[a.Length];
        Buffer.BlockCopy(a, 0, flat, 0, flat.Length * sizeof(float));
        return torch.tensor(flat, new long[] { a.GetLength(0), a.GetLength(1) });
    }

    [Fact]
    public void DenseOperationsPutNoneFirst()
    {
        Assert.Equal(8, Ops.Count);
        Assert.Equal(Operations.None, Ops[0]);
        Assert.Equal(Operations.Default, Ops.Skip(1));
        Assert.Equal(14, DartsSearchSpace.EdgeCount(4));
    }

    [Fact]
    public void GenotypeIgnoresNoneKeepsTopTwoEdgesAndArgmaxOp()
    {
        using var scope = NewDisposeScope();
        // Edge index of (node, predecessor): node 0 edges 0-1, node 1 edges 2-4, node 2 edges 5-8, node 3 edges 9-13.
        Tensor normal = Alphas(a =>
        {
            for (int e = 0; e < 14; e++) a[e, Col(Operations.None)] = 10f; // none dominates everywhere: must be ignored
            a[0, Col(Operations.SepConv3x3)] = 3f;
            a[1, Col(Operations.SkipConnect)] = 2f;
            // node 1: predecessors 0, 1, 2 -> the strongest two are 2 (dil 5x5) and 0 (max pool); 1 is weak.
            a[2, Col(Operations.MaxPool3x3)] = 2f;
            a[3, Col(Operations.AvgPool3x3)] = 0.5f;
            a[4, Col(Operations.DilConv5x5)] = 4f;
            // node 2: edges 5..8 -> predecessor 3 (sep 5x5, 5) and 1 (dil 3x3, 1.5); on edge 8 sep 5x5 beats skip.
            a[6, Col(Operations.DilConv3x3)] = 1.5f;
            a[8, Col(Operations.SepConv5x5)] = 5f;
            a[8, Col(Operations.SkipConnect)] = 4.9f;
            // node 3: edges 9..13 -> predecessors 4 and 0.
            a[9, Col(Operations.AvgPool3x3)] = 1f;
            a[13, Col(Operations.SepConv3x3)] = 2f;
        });
        Tensor reduce = Alphas(a =>
        {
            for (int e = 0; e < 14; e++) a[e, Col(Operations.MaxPool3x3)] = 1f;
            a[1, Col(Operations.DilConv3x3)] = 2f;
        });

        Genotype g = DartsSearchSpace.DeriveGenotype(normal, reduce, Ops);

        Assert.Equal(
            new[]
            {
                new GenotypeEdge(Operations.SepConv3x3, 0), new GenotypeEdge(Operations.SkipConnect, 1),
                new GenotypeEdge(Operations.DilConv5x5, 2), new GenotypeEdge(Operations.MaxPool3x3, 0),
                new GenotypeEdge(Operations.SepConv5x5, 3), new GenotypeEdge(Operations.DilConv3x3, 1),
                new GenotypeEdge(Operations.SepConv3x3, 4), new GenotypeEdge(Operations.AvgPool3x3, 0),
            },
            g.Normal);
        Assert.DoesNotContain(g.Normal.Concat(g.Reduce), e => e.Operation == Operations.None);
        Assert.Equal(new GenotypeEdge(Operations.DilConv3x3, 1), g.Reduce[0]);
        Assert.Equal(new GenotypeEdge(Operations.MaxPool3x3, 0), g.Reduce[1]);
    }

    [Fact]
    public void DenseArchitectureListsEveryCandidateWithSoftmaxWeights()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        Tensor alpha = torch.randn(14, 8);
        NodeWeights[] nodes = DartsSearchSpace.DenseArchitecture(alpha, 4);
        Assert.Equal(4, nodes.Length);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Enumerable.Range(0, (i + 2) * 8), nodes[i].Candidates);
            Assert.Equal((i + 2) * 8, nodes[i].Weights.shape[0]);
            // Each edge's 8 weights sum to 1.
            Assert.Equal((double)(i + 2), nodes[i].Weights.sum().item<float>(), 4);
        }
        // node 1, predecessor 2, op 5 = edge 4, column 5.
        float expected = torch.nn.functional.softmax(alpha[4], 0)[5].item<float>();
        Assert.Equal(expected, nodes[1].Weights[(2 * 8) + 5].item<float>(), 6);
    }

    private static SearchResult RunTiny(long seed, IProgress<EpochReport>? progress = null)
    {
        ImageDataset data = Synthetic.Create(64, 5, new SyntheticOptions { ImageSize = 16 });
        return new SearchBuilder()
            .UseDataset(data)
            .UseDarts(o =>
            {
                o.Epochs = 2;
                o.Channels = 4;
                o.Layers = 3;
                o.BatchSize = 16;
                o.MaxStepsPerEpoch = 2;
            })
            .UseSeed(seed)
            .WithProgress(progress ?? new Progress<EpochReport>(_ => { }))
            .Build()
            .Run();
    }

    [Fact]
    public void TinySearchRunsEndToEndAndIsDeterministic()
    {
        var reports = new List<EpochReport>();
        SearchResult first = RunTiny(11, new SyncProgress<EpochReport>(reports.Add));
        SearchResult second = RunTiny(11);

        Assert.False(first.Cancelled);
        Assert.Null(first.SearchSpace);
        Assert.Equal(2, first.History.Count);
        Assert.All(first.History, r =>
        {
            Assert.NotNull(r.Genotype);
            Assert.Empty(r.ZChange);
            Assert.True(double.IsFinite(r.TrainLoss));
            Assert.True(double.IsFinite(r.ValidLoss));
        });
        Assert.Equal(2, reports.Count);
        Assert.Equal(4, first.Genotype!.Nodes);
        Assert.All(first.Genotype.Normal.Concat(first.Genotype.Reduce), e => Assert.True(Operations.IsKnown(e.Operation)));
        Assert.Equal(first.Genotype, second.Genotype);
        Assert.Equal(first.History[^1].TrainLoss, second.History[^1].TrainLoss, 10);
        Assert.Equal(first.History[^1].ValidLoss, second.History[^1].ValidLoss, 10);
    }

    [Fact]
    public void CancellationStopsAndReturnsAGenotype()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        ImageDataset data = Synthetic.Create(64, 5, new SyntheticOptions { ImageSize = 16 });
        SearchResult result = new SearchBuilder().UseDataset(data)
            .UseDarts(o => { o.Epochs = 2; o.Channels = 4; o.Layers = 3; o.BatchSize = 16; o.MaxStepsPerEpoch = 2; })
            .Build().Run(cts.Token);
        Assert.True(result.Cancelled);
        Assert.Empty(result.History);
        Assert.Equal(4, result.Genotype!.Nodes);
    }

    [Fact]
    public void EveryCandidateIncludingNoneRuns()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var net = new SuperNet(new SuperNetOptions { Channels = 4, Layers = 3, Operations = Ops, Classes = 5 });
        Tensor alphaNormal = torch.randn(14, 8).mul_(1e-3).requires_grad_();
        Tensor alphaReduce = torch.randn(14, 8).mul_(1e-3).requires_grad_();
        net.SetArchitecture(CellType.Normal, DartsSearchSpace.DenseArchitecture(alphaNormal, 4));
        net.SetArchitecture(CellType.Reduce, DartsSearchSpace.DenseArchitecture(alphaReduce, 4));
        using var calls = IstaNas.Tests.Networks.CallCounter.Candidates(net);
        Tensor loss = net.forward(torch.randn(2, 3, 16, 16)).sum();
        loss.backward();

        var ops = net.Cells.SelectMany(c => c.Nodes).SelectMany(n => n.Candidates).ToList();
        Assert.Equal(3 * 14 * 8, ops.Count);
        Assert.All(ops, op => Assert.Equal(1, calls[op]));
        Assert.Equal(3 * 14, ops.Count(op => op is Zero));
        Assert.NotNull(alphaNormal.grad);
        Assert.NotNull(alphaReduce.grad);
        Assert.True(alphaNormal.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void BuilderRejectsInvalidOptions()
    {
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => DartsRun.Strategy(new DartsOptions { TrainPortion = 1.5 }));
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
