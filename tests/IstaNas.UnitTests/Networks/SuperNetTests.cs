using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Networks;

public class SuperNetTests
{
    private static SuperNetOptions Tiny(int inputChannels = 3) =>
        new() { Channels = 4, Layers = 3, Nodes = 2, InputChannels = inputChannels, Classes = 5 };

    private static SuperNet Build(SuperNetOptions options, bool requiresGrad = false)
    {
        var net = new SuperNet(options);
        net.SetArchitecture(CellType.Normal, NetworkTestHelpers.TwoPerNode(options, requiresGrad, 1));
        net.SetArchitecture(CellType.Reduce, NetworkTestHelpers.TwoPerNode(options, requiresGrad, 4));
        return net;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void OutputHasOneLogitPerClass(int inputChannels)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using var net = Build(Tiny(inputChannels));
        var logits = net.forward(torch.randn(2, inputChannels, 8, 8));
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
    }

    [Fact]
    public void DefaultOperationsAndNodesGiveExpectedShape()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var options = new SuperNetOptions { Channels = 4, Layers = 2 };
        using var net = Build(options);
        Assert.Equal(7, options.OperationCount);
        Assert.Equal(new long[] { 3, 10 }, net.forward(torch.randn(3, 3, 8, 8)).shape);
    }

    [Fact]
    public void OnlyTwoCandidatesPerNodeRun()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        var options = Tiny();
        using var net = Build(options);
        using var calls = CallCounter.Candidates(net);
        net.forward(torch.randn(2, 3, 8, 8));
        Assert.Equal(options.Layers * options.Nodes * 2, calls.Total);
    }

    [Fact]
    public void EmptyNodeContributesZerosAndRunsNothing()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        var options = Tiny();
        using var net = Build(options);
        var normal = NetworkTestHelpers.TwoPerNode(options, false, 1);
        normal[1] = new NodeWeights([], torch.zeros(0));
        net.SetArchitecture(CellType.Normal, normal);
        net.eval();
        var x = torch.randn(2, 3, 8, 8);
        using var calls = CallCounter.Candidates(net);
        var logits = net.forward(x);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        foreach (var cell in net.Cells.Where(c => !c.IsReduction))
        {
            Assert.All(cell.Nodes[1].Candidates, op => Assert.Equal(0, calls[op]));
        }

        // Zero weights on the same node's candidates give the same output: an empty node is the zero contribution.
        var zeroWeights = NetworkTestHelpers.TwoPerNode(options, false, 1);
        zeroWeights[1] = zeroWeights[1] with { Weights = torch.zeros(2) };
        net.SetArchitecture(CellType.Normal, zeroWeights);
        Assert.True(net.forward(x).allclose(logits, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void GradientsReachArchitectureWeightsAndNetworkWeights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(10);
        var options = Tiny();
        using var net = new SuperNet(options);
        var normal = NetworkTestHelpers.TwoPerNode(options, true, 1);
        var reduce = NetworkTestHelpers.TwoPerNode(options, true, 4);
        net.SetArchitecture(CellType.Normal, normal);
        net.SetArchitecture(CellType.Reduce, reduce);
        var logits = net.forward(torch.randn(4, 3, 8, 8));
        var loss = nn.functional.cross_entropy(logits, torch.tensor(new long[] { 0, 1, 2, 3 }));
        loss.backward();
        foreach (var w in normal.Concat(reduce).Select(n => n.Weights))
        {
            Assert.NotNull(w.grad);
            Assert.True(w.grad!.abs().sum().item<float>() > 0f);
        }

        var weights = net.WeightParameters().ToList();
        Assert.Equal(NetworkTestHelpers.CountParameters(net), weights.Sum(p => p.numel()));
        Assert.NotNull(net.WeightParameters().First().grad);
        Assert.True(weights.Where(p => p.grad is not null).Sum(p => p.grad!.abs().sum().item<float>()) > 0f);
    }

    [Fact]
    public void AuxiliaryHeadRunsOnlyInTraining()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        using var net = Build(Tiny() with { Auxiliary = true });
        var x = torch.randn(2, 3, 32, 32);
        var (logits, aux) = net.ForwardWithAuxiliary(x);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        Assert.NotNull(aux);
        Assert.Equal(new long[] { 2, 5 }, aux!.shape);
        net.eval();
        Assert.Null(net.ForwardWithAuxiliary(x).Auxiliary);
    }

    public static TheoryData<SuperNetOptions, string> InvalidOptions() => new()
    {
        { new SuperNetOptions { Operations = [Operations.SepConv3x3, "conv_7x7"] }, "Operations" },
        { new SuperNetOptions { Operations = [] }, "Operations" },
        { new SuperNetOptions { Operations = [Operations.SepConv3x3, Operations.SepConv3x3] }, "Operations" },
        { new SuperNetOptions { Layers = 0 }, "Layers" },
        { new SuperNetOptions { Channels = 0 }, "Channels" },
        { new SuperNetOptions { Nodes = 0 }, "Nodes" },
        { new SuperNetOptions { InputChannels = 2 }, "InputChannels" },
        { new SuperNetOptions { Classes = 1 }, "Classes" },
        { new SuperNetOptions { StemMultiplier = 0 }, "StemMultiplier" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsThrowNamingTheOption(SuperNetOptions options, string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SuperNet(options));
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void UnknownOperationMessageNamesTheValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SuperNet(new SuperNetOptions { Operations = ["conv_7x7"] }));
        Assert.Contains("conv_7x7", ex.Message);
    }

    [Fact]
    public void InvalidArchitecturesThrow()
    {
        using var scope = torch.NewDisposeScope();
        var options = Tiny();
        using var net = new SuperNet(options);
        int k = options.OperationCount;
        var good = NetworkTestHelpers.TwoPerNode(options, false, 0);

        var tooFew = Assert.Throws<ArgumentException>(() => net.SetArchitecture(CellType.Normal, good.Take(1).ToArray()));
        Assert.Contains("one entry per node", tooFew.Message);

        // Node 0 has 2K candidates: 2K is out of range, 2K - 1 is not.
        var outOfRange = good.ToArray();
        outOfRange[0] = new NodeWeights([0, 2 * k], torch.ones(2));
        var ex = Assert.Throws<ArgumentException>(() => net.SetArchitecture(CellType.Reduce, outOfRange));
        Assert.Contains($"candidate {2 * k}", ex.Message);
        outOfRange[0] = new NodeWeights([0, 2 * k - 1], torch.ones(2));
        net.SetArchitecture(CellType.Reduce, outOfRange);

        var negative = good.ToArray();
        negative[1] = new NodeWeights([-1], torch.ones(1));
        Assert.Throws<ArgumentException>(() => net.SetArchitecture(CellType.Normal, negative));

        var duplicate = good.ToArray();
        duplicate[1] = new NodeWeights([3, 3], torch.ones(2));
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => net.SetArchitecture(CellType.Normal, duplicate)).Message);

        var wrongLength = good.ToArray();
        wrongLength[1] = new NodeWeights([1, 2], torch.ones(3));
        Assert.Contains("weights of shape [3]", Assert.Throws<ArgumentException>(() => net.SetArchitecture(CellType.Normal, wrongLength)).Message);
    }

    [Fact]
    public void ForwardWithoutArchitectureThrows()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new SuperNet(Tiny());
        Assert.Throws<InvalidOperationException>(() => net.forward(torch.randn(1, 3, 8, 8)));
    }

    [Fact]
    public void WrongInputChannelsThrowNamingExpectedAndActual()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Build(Tiny(1));
        var ex = Assert.Throws<ArgumentException>(() => net.forward(torch.randn(1, 3, 8, 8)));
        Assert.Contains("Expected 1 input channels, got 3", ex.Message);
    }

    [Fact]
    public void DropPathProbabilityIsValidated()
    {
        using var net = new SuperNet(Tiny());
        Assert.Throws<ArgumentException>(() => net.DropPathProbability = 1.0);
        net.DropPathProbability = 0.3;
        Assert.Equal(0.3, net.DropPathProbability);
    }
}
