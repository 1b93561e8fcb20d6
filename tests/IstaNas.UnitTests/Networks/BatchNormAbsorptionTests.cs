using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Tests.Networks;

public class BatchNormAbsorptionTests
{
    private static SuperNet OneStageSuperNet(bool affine, bool auxiliary)
    {
        var options = new SuperNetOptions
        {
            Channels = 4,
            Layers = 3,
            Nodes = 3,
            Classes = 5,
            Affine = affine,
            AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip,
            Auxiliary = auxiliary,
        };
        var net = new SuperNet(options);
        // Candidates covering pools, identity skips (stride 1), FactorizedReduce (stride-2 skip) and convolutions;
        // negative weights included. Node i has (i + 2) * 7 candidates; op index = c % 7, predecessor = c / 7.
        net.SetArchitecture(CellType.Normal,
        [
            new NodeWeights([2, 7 + 3], torch.tensor(new float[] { 0.8f, -0.6f })),              // skip 0, sep3 1
            new NodeWeights([0, 14 + 5], torch.tensor(new float[] { 1.3f, 0.4f })),              // max 0, dil3 node0
            new NodeWeights([7 + 1, 21 + 2], torch.tensor(new float[] { -0.9f, 0.5f })),         // avg 1, skip node1
        ]);
        net.SetArchitecture(CellType.Reduce,
        [
            new NodeWeights([2, 7 + 0], torch.tensor(new float[] { 0.7f, 1.1f })),               // skip 0 (FactorizedReduce), max 1
            new NodeWeights([1, 14 + 4], torch.tensor(new float[] { 0.3f, -1.2f })),             // avg 0, sep5 node0
            new NodeWeights([7 + 6, 14 + 2], torch.tensor(new float[] { 0.6f, 0.9f })),          // dil5 1, skip node0 (identity)
        ]);

        using (torch.no_grad())
        {
            foreach (var (_, module) in net.named_modules())
            {
                if (module is BatchNorm2d bn && bn.weight is not null && bn.bias is not null)
                {
                    bn.weight.uniform_(0.5, 1.5);
                    bn.bias.uniform_(-0.5, 0.5);
                }
            }
        }

        return net;
    }

    private static void WarmUpRunningStatistics(nn.Module<Tensor, Tensor> net, int size)
    {
        net.train();
        for (int i = 0; i < 3; i++)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            net.forward(torch.randn(4, 3, size, size) * 2 + 0.5);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ExportedNetworkMatchesSuperNetInEvalMode(bool affine)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(30);
        using var superNet = OneStageSuperNet(affine, auxiliary: false);
        WarmUpRunningStatistics(superNet, 8);
        superNet.eval();
        using var exported = BatchNormAbsorption.Export(superNet);
        Assert.False(exported.training);
        Assert.True(exported.Options.BatchNormAfterParameterFree);

        var x = torch.randn(3, 3, 8, 8);
        var expected = superNet.forward(x);
        var actual = exported.forward(x);
        double maxDiff = (expected - actual).abs().max().ToDouble();
        Assert.True(maxDiff < 1e-5, $"max |difference| = {maxDiff}");

        // The folded gammas differ from the super-net's, so the test is not vacuous.
        var edge = exported.Cells[0].Operations[1].OutputBatchNorm!;
        Assert.True(edge.weight!.lt(0).all().ToBoolean(), "alpha = -0.6 must be folded into gamma");
    }

    [Fact]
    public void ExportedNetworkMatchesSuperNetWithAuxiliaryHeadInTraining()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(31);
        using var superNet = OneStageSuperNet(affine: true, auxiliary: true);
        WarmUpRunningStatistics(superNet, 32);
        using var exported = BatchNormAbsorption.Export(superNet);
        Assert.True(exported.training);
        Assert.Equal(NetworkTestHelpers.CountParameters(superNet.AuxiliaryHead!), exported.AuxiliaryParameterCount);

        // Training mode (batch statistics, drop path 0): the fold alpha * BN(x) = BN'(x) holds as well.
        var x = torch.randn(2, 3, 32, 32);
        var (logits, aux) = superNet.ForwardWithAuxiliary(x);
        var (exportedLogits, exportedAux) = exported.ForwardWithAuxiliary(x);
        Assert.True((logits - exportedLogits).abs().max().ToDouble() < 1e-5);
        Assert.True((aux! - exportedAux!).abs().max().ToDouble() < 1e-5);

        superNet.eval();
        exported.eval();
        Assert.True((superNet.forward(x) - exported.forward(x)).abs().max().ToDouble() < 1e-5);
    }

    [Fact]
    public void ExportedTopologyListsTheSelectedPairs()
    {
        using var superNet = OneStageSuperNet(affine: true, auxiliary: false);
        using var exported = BatchNormAbsorption.Export(superNet);
        Assert.Equal(
            new (string, int)[]
            {
                (Operations.SkipConnect, 0), (Operations.SepConv3x3, 1),
                (Operations.MaxPool3x3, 0), (Operations.DilConv3x3, 2),
                (Operations.AvgPool3x3, 1), (Operations.SkipConnect, 3),
            },
            exported.Normal.Edges);
        Assert.Equal(new[] { 2, 3, 4 }, exported.Normal.Concat);
        Assert.Equal(Operations.SkipConnect, exported.Reduce.Edges[0].Op);
        Assert.IsType<FactorizedReduce>(exported.Cells[1].Operations[0]);
    }

    [Fact]
    public void ExportRequiresTwoCandidatesPerNodeAndFinalBatchNorms()
    {
        using var scope = torch.NewDisposeScope();
        using var superNet = OneStageSuperNet(affine: true, auxiliary: false);
        var normal = superNet.GetArchitecture(CellType.Normal)!.ToArray();
        normal[1] = new NodeWeights([0, 1, 2], torch.ones(3));
        superNet.SetArchitecture(CellType.Normal, normal);
        Assert.Contains("exactly 2", Assert.Throws<InvalidOperationException>(() => BatchNormAbsorption.Export(superNet)).Message);

        var options = new SuperNetOptions { Channels = 4, Layers = 3, Nodes = 1, AppendedBatchNorm = AppendedBatchNorm.Pools };
        using var twoStage = new SuperNet(options);
        twoStage.SetArchitecture(CellType.Normal, [new NodeWeights([0, 10], torch.ones(2))]); // max pool: no BN in the two-stage form
        twoStage.SetArchitecture(CellType.Reduce, [new NodeWeights([3, 10], torch.ones(2))]);
        Assert.Contains("PoolsAndSkip", Assert.Throws<InvalidOperationException>(() => BatchNormAbsorption.Export(twoStage)).Message);
    }
}
