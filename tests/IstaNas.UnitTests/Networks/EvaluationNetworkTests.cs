using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Networks;

public class EvaluationNetworkTests
{
    private static EvaluationNetwork Tiny(bool auxiliary, int inputChannels = 3, bool batchNorm = false, string genotype = "ista_two_stage")
    {
        var (normal, reduce) = KnownTopologies.ByName(genotype);
        return new EvaluationNetwork(
            new EvaluationNetworkOptions { Channels = 4, Layers = 3, Auxiliary = auxiliary, InputChannels = inputChannels, Classes = 7, BatchNormAfterParameterFree = batchNorm },
            normal,
            reduce);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    public void LogitsHaveOneEntryPerClassWithoutAuxiliary(int inputChannels, bool batchNorm)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(20);
        using var net = Tiny(auxiliary: false, inputChannels, batchNorm);
        var (logits, aux) = net.ForwardWithAuxiliary(torch.randn(2, inputChannels, 16, 16));
        Assert.Equal(new long[] { 2, 7 }, logits.shape);
        Assert.Null(aux);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AuxiliaryLogitsInTrainingOnly(int inputChannels)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(21);
        using var net = Tiny(auxiliary: true, inputChannels);
        var x = torch.randn(2, inputChannels, 32, 32);
        var (logits, aux) = net.ForwardWithAuxiliary(x);
        Assert.Equal(new long[] { 2, 7 }, logits.shape);
        Assert.NotNull(aux);
        Assert.Equal(new long[] { 2, 7 }, aux!.shape);
        var loss = nn.functional.cross_entropy(logits, torch.tensor(new long[] { 1, 2 }))
            + 0.4 * nn.functional.cross_entropy(aux, torch.tensor(new long[] { 1, 2 }));
        loss.backward();
        Assert.All(net.parameters(), p => Assert.NotNull(p.grad));
        net.eval();
        Assert.Null(net.ForwardWithAuxiliary(x).Auxiliary);
        Assert.Equal(new long[] { 2, 7 }, net.forward(x).shape);
    }

    [Fact]
    public void DropPathActsInTrainingOnly()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(22);
        using var net = Tiny(auxiliary: false);
        var x = torch.randn(4, 3, 16, 16);

        net.eval();
        net.DropPathProbability = 0.0;
        var reference = net.forward(x);
        net.DropPathProbability = 0.5;
        Assert.True(net.forward(x).allclose(reference, rtol: 0, atol: 0), "drop path must not act in eval mode");

        // In training, BN uses batch statistics: compare drop path 0.5 against 0 with the same mode.
        net.train();
        net.DropPathProbability = 0.0;
        var trainNoDrop = net.forward(x);
        var trainNoDropAgain = net.forward(x);
        Assert.True(trainNoDrop.allclose(trainNoDropAgain, rtol: 1e-5, atol: 1e-6));
        net.DropPathProbability = 0.5;
        torch.manual_seed(23);
        var dropped = net.forward(x);
        Assert.False(dropped.allclose(trainNoDrop, rtol: 1e-3, atol: 1e-4), "drop path must change the training output");
    }

    [Fact]
    public void DropPathZeroesWholeSamplesAndRescales()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(24);
        var x = torch.ones(64, 2, 3, 3);
        var y = DropPath.Apply(x, 0.25);
        var perSample = y.view(64, -1);
        var max = perSample.max(1).values;
        var min = perSample.min(1).values;
        Assert.True(max.allclose(min));
        var values = max.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - 1f / 0.75f) < 1e-6));
        Assert.Contains(values, v => v == 0f);
        Assert.Same(x, DropPath.Apply(x, 0.0));
    }

    [Fact]
    public void WrongInputChannelsThrow()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Tiny(auxiliary: false, inputChannels: 3);
        var ex = Assert.Throws<ArgumentException>(() => net.forward(torch.randn(1, 1, 16, 16)));
        Assert.Contains("Expected 3 input channels, got 1", ex.Message);
    }

    [Fact]
    public void InvalidOptionsAndTopologiesThrow()
    {
        var (normal, reduce) = KnownTopologies.DartsV2;
        Assert.Equal("Layers", Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions { Layers = 0 }, normal, reduce)).ParamName);
        Assert.Equal("InputChannels", Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions { InputChannels = 4 }, normal, reduce)).ParamName);
        Assert.Equal("Classes", Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions { Classes = 1 }, normal, reduce)).ParamName);
        Assert.Equal("DropPathProbability", Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions { DropPathProbability = 1 }, normal, reduce)).ParamName);

        var badInput = CellTopology.FromEdges([(Operations.SepConv3x3, 0), (Operations.SepConv3x3, 2)]);
        var ex = Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions(), badInput, reduce));
        Assert.Equal("normal", ex.ParamName);
        Assert.Contains("reads state 2", ex.Message);

        var badOp = CellTopology.FromEdges([(Operations.SepConv3x3, 0), ("conv_9x9", 1)]);
        Assert.Contains("conv_9x9", Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions(), normal, badOp)).Message);

        var odd = CellTopology.FromEdges([(Operations.SepConv3x3, 0)]);
        Assert.Throws<ArgumentException>(() => new EvaluationNetwork(new EvaluationNetworkOptions(), odd, reduce));
    }

    [Fact]
    public void ConcatListSetsOutputChannels()
    {
        var topology = new CellTopology([(Operations.SepConv3x3, 0), (Operations.MaxPool3x3, 1), (Operations.SkipConnect, 2), (Operations.DilConv3x3, 0)], [2, 3]);
        var (_, reduce) = KnownTopologies.DartsV2;
        using var net = new EvaluationNetwork(new EvaluationNetworkOptions { Channels = 4, Layers = 3, Auxiliary = false }, topology, reduce);
        Assert.Equal(8, net.Cells[0].OutputChannels);
        Assert.Equal(32, net.Cells[1].OutputChannels); // the reduction cell concatenates its 4 nodes of 8 channels
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 10 }, net.forward(torch.randn(2, 3, 8, 8)).shape);
    }
}
