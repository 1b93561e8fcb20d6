using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;

namespace IstaNas.Tests.Networks;

public class SuperNetVariantsTests
{
    [Fact]
    public void OperationSubsetDecodesCandidatesWithItsOwnK()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(40);
        string[] ops = [Operations.SkipConnect, Operations.SepConv3x3, Operations.MaxPool3x3];
        var options = new SuperNetOptions { Operations = ops, Channels = 4, Layers = 3, Nodes = 2 };
        using var net = new SuperNet(options);
        Assert.Equal(9, net.Cells[0].Nodes[1].CandidateCount);
        // Candidate 4 of node 1 = predecessor 1, operation 1 (sep_conv_3x3); candidate 8 = predecessor 2, max pool.
        Assert.IsType<SepConv>(net.Cells[0].Nodes[1].Candidate(4));
        Assert.IsType<Pool>(net.Cells[0].Nodes[1].Candidate(8));
        Assert.IsType<FactorizedReduce>(net.Cells[1].Nodes[0].Candidate(0)); // skip on a stride-2 edge
        Assert.IsType<Skip>(net.Cells[1].Nodes[1].Candidate(6)); // skip from node 0 inside a reduction cell
        net.SetArchitecture(CellType.Normal, [new NodeWeights([0, 4], torch.ones(2)), new NodeWeights([4, 8], torch.ones(2))]);
        net.SetArchitecture(CellType.Reduce, [new NodeWeights([1], torch.ones(1)), new NodeWeights([5, 6], torch.ones(2))]);
        Assert.Equal(new long[] { 2, 10 }, net.forward(torch.randn(2, 3, 8, 8)).shape);
        Assert.Throws<ArgumentException>(() => net.SetArchitecture(CellType.Normal, [new NodeWeights([6], torch.ones(1)), new NodeWeights([0], torch.ones(1))]));
    }

    [Fact]
    public void DartsBaselineMayIncludeTheZeroOperation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(41);
        var options = new SuperNetOptions { Operations = [Operations.None, .. Operations.Default], Channels = 4, Layers = 3, Nodes = 1 };
        using var net = new SuperNet(options);
        Assert.IsType<Zero>(net.Cells[1].Nodes[0].Candidate(0));
        net.SetArchitecture(CellType.Normal, [new NodeWeights([0, 8], torch.ones(2))]);
        net.SetArchitecture(CellType.Reduce, [new NodeWeights([0, 8], torch.ones(2))]);
        Assert.Equal(new long[] { 2, 10 }, net.forward(torch.randn(2, 3, 8, 8)).shape);
    }

    [Fact]
    public void DropPathInSearchActsInTrainingOnly()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(42);
        var options = new SuperNetOptions { Channels = 4, Layers = 3, Nodes = 2, Classes = 5 };
        using var net = new SuperNet(options);
        net.SetArchitecture(CellType.Normal, NetworkTestHelpers.TwoPerNode(options, false, 2));
        net.SetArchitecture(CellType.Reduce, NetworkTestHelpers.TwoPerNode(options, false, 3));
        var x = torch.randn(4, 3, 8, 8);
        net.eval();
        var reference = net.forward(x);
        net.DropPathProbability = 0.5;
        Assert.True(net.forward(x).allclose(reference, rtol: 0, atol: 0));
        net.train();
        net.DropPathProbability = 0.0;
        var trainReference = net.forward(x);
        net.DropPathProbability = 0.5;
        Assert.False(net.forward(x).allclose(trainReference, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void DefaultProxyNetworkParameterCount()
    {
        // Two-stage proxy (C = 16, L = 8, N = 4, K = 7, non-affine search BNs; stem BN affine; classifier with bias).
        // DARTS' search model logs "param size = 1.930618MB" for the same space (its extra `none` op has no weights).
        using var net = new SuperNet(new SuperNetOptions());
        Assert.Equal(1_930_618, ParameterCounting.Count(net));
        Assert.Equal(1_930_618, net.WeightParameters().Sum(p => p.numel()));
    }
}
