using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;
using BatchNorm2d = TorchSharp.Modules.BatchNorm2d;

namespace IstaNas.Tests.Fidelity;

/// <summary>The super-nets and networks do what the authors' model_search.py / model.py and DARTS do.</summary>
public class SuperNetFidelityTests
{
    private static int Candidate(SuperNetOptions o, int predecessor, string op) => predecessor * o.OperationCount + o.Operations.ToList().IndexOf(op);

    [Theory]
    [InlineData(Operations.MaxPool3x3)]
    [InlineData(Operations.AvgPool3x3)]
    public void APoolCandidateOfTheTwoStageSuperNetOutputsUnitVarianceFeatures(string pool)
    {
        // DARTS' MixedOp and the authors' two-stage model_search.py append BatchNorm2d(C, affine=False) to every pool:
        // a pool reading an intermediate node (already scaled by alpha) then still contributes unit-variance features.
        // (At alpha ~ 1e-3 BN's eps = 1e-5 starts to matter, so the test uses a node scaled by 0.05.)
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var options = new SuperNetOptions { Channels = 4, Layers = 3 }; // the two-stage and DARTS super-net form
        using var net = new SuperNet(options);
        net.train();
        Operation op = net.Cells[0].Nodes[1].Candidate(Candidate(options, 2, pool)); // node 1 reads intermediate node 0
        Tensor scaledNode = torch.randn(8, 4, 8, 8) * 0.05;
        Tensor y = op.forward(scaledNode);
        Assert.InRange(y.std().item<float>(), 0.95f, 1.05f);
        Assert.InRange(y.mean().item<float>(), -0.05f, 0.05f);
        Assert.Null(op.OutputBatchNorm!.weight); // affine off, as in the two-stage and DARTS search
    }

    [Fact]
    public void TheTwoStageSuperNetHasNoBatchNormAfterTheIdentitySkip()
    {
        var options = new SuperNetOptions { Channels = 4, Layers = 3 };
        using var net = new SuperNet(options);
        Operation skip = net.Cells[0].Nodes[0].Candidate(Candidate(options, 1, Operations.SkipConnect));
        Assert.True(skip.IsBareIdentity);
        Assert.Null(skip.OutputBatchNorm);
    }

    [Fact]
    public void EveryBatchNormInsideASearchingCandidateIsHeldAtOneAndZeroWithoutGradientUntilReleased()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var options = new SuperNetOptions { Channels = 4, Layers = 3, Affine = true, AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip };
        using var net = new SuperNet(options);
        int sep = Candidate(options, 0, Operations.SepConv3x3), dil = Candidate(options, 1, Operations.DilConv3x3);
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
            for (int i = 0; i < options.Nodes; i++)
                net.SetCandidateBatchNormTrainable(cell, i, Enumerable.Range(0, options.CandidateCount(i)), trainable: false);
        var architecture = Enumerable.Range(0, options.Nodes)
            .Select(i => new NodeWeights([sep, dil], torch.tensor(new[] { 0.6f, 0.4f }))).ToArray();
        net.SetArchitecture(CellType.Normal, architecture);
        net.SetArchitecture(CellType.Reduce, architecture);
        BatchNorm2d[] Inner(int node) => [.. net.Cells[0].Nodes[node].Candidate(sep).named_modules()
            .Where(m => m.name == "bn1").Select(m => (BatchNorm2d)m.module)];

        net.forward(torch.randn(4, 3, 8, 8)).sum().backward();
        BatchNorm2d bn1 = Assert.Single(Inner(0));
        Assert.Equal(1f, bn1.weight!.min().item<float>());
        Assert.Equal(1f, bn1.weight!.max().item<float>());
        Assert.Equal(0f, bn1.bias!.abs().max().item<float>());
        Assert.Null(bn1.weight.grad);
        Assert.Null(bn1.bias.grad);

        net.SetCandidateBatchNormTrainable(CellType.Normal, 0, [sep, dil], trainable: true);
        net.forward(torch.randn(4, 3, 8, 8)).sum().backward();
        Assert.NotNull(bn1.weight.grad);
        Assert.True(bn1.weight.grad!.abs().sum().item<float>() > 0);
        Assert.Null(Assert.Single(Inner(1)).weight!.grad); // node 1 still searching
    }

    [Fact]
    public void DropPathReachesASkipWithAnAppendedBatchNormButNotTheBareIdentity()
    {
        // DARTS exempts `isinstance(op, Identity)` only; the one-stage skip is Sequential(Identity, BN) and is dropped.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var skips = new[] { (Operations.SkipConnect, 0), (Operations.SkipConnect, 1), (Operations.SkipConnect, 0), (Operations.SkipConnect, 1) };
        var topology = CellTopology.FromEdges(skips);
        foreach (bool oneStage in new[] { true, false })
        {
            using var cell = new EvaluationCell(topology, 4, 4, 4, reduction: false, reductionPrevious: false, oneStage);
            cell.train();
            Tensor x = torch.randn(32, 4, 6, 6);
            Tensor output = cell.forward(x, x, dropPathProbability: 0.9);
            // With p = 0.9 both skips of a node are dropped for most samples: that node's slice is exactly zero.
            Tensor sampleNorms = output.narrow(1, 0, 4).flatten(1).abs().sum(1);
            long zeroSamples = (sampleNorms == 0).sum().item<long>();
            if (oneStage) Assert.True(zeroSamples > 0, "an identity followed by a BN must get drop path");
            else Assert.Equal(0, zeroSamples);
        }
    }

    [Fact]
    public void DropPathReachesAOneStageSearchSkip()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var options = new SuperNetOptions { Channels = 4, Layers = 3, Nodes = 1, Affine = true, AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip };
        using var node = new SuperNetNode(0, options.Operations, 4, reduction: false, affine: true, AppendedBatchNorm.PoolsAndSkip);
        node.train();
        int skip0 = Candidate(options, 0, Operations.SkipConnect), skip1 = Candidate(options, 1, Operations.SkipConnect);
        Tensor x = torch.randn(32, 4, 6, 6);
        Tensor y = node.forward([x, x], new NodeWeights([skip0, skip1], torch.tensor(new[] { 1f, 1f })), [32, 4, 6, 6], 0.9);
        Assert.True((y.flatten(1).abs().sum(1) == 0).sum().item<long>() > 0);
    }
}
