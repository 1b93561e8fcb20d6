using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Networks;

public class SuperNetNodeTests
{
    [Fact]
    public void RunsOnlyListedCandidatesAndSumsWeightedOutputs()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        int k = Operations.Default.Count;
        using var node = new SuperNetNode(1, Operations.Default, 4, reduction: false, affine: false, AppendedBatchNorm.None);
        Assert.Equal(3 * k, node.CandidateCount);
        var states = new List<Tensor> { torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8) };
        int[] listed = [2, 10, 17]; // (skip, pred 0), (skip... op 3 = sep_conv_3x3, pred 1), (op 3 = sep_conv_3x3, pred 2)
        var weights = torch.tensor(new float[] { 0.5f, -1.5f, 2f });
        using var calls = new CallCounter(node.Candidates);
        var output = node.forward(states, new NodeWeights(listed, weights), [2, 4, 8, 8], 0.0);

        for (int c = 0; c < node.CandidateCount; c++)
        {
            Assert.Equal(listed.Contains(c) ? 1 : 0, calls[node.Candidate(c)]);
        }

        Tensor expected = torch.zeros(2, 4, 8, 8);
        for (int j = 0; j < listed.Length; j++)
        {
            expected = expected + weights[j] * node.Candidate(listed[j]).forward(states[listed[j] / k]);
        }

        Assert.True(output.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void EmptyCandidateListGivesZerosWithoutRunningAnyOperation()
    {
        using var scope = torch.NewDisposeScope();
        using var node = new SuperNetNode(2, Operations.Default, 4, reduction: true, affine: false, AppendedBatchNorm.PoolsAndSkip);
        var states = new List<Tensor> { torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.randn(2, 4, 4, 4), torch.randn(2, 4, 4, 4) };
        using var calls = new CallCounter(node.Candidates);
        var output = node.forward(states, new NodeWeights([], torch.zeros(0)), [2, 4, 4, 4], 0.0);
        Assert.Equal(new long[] { 2, 4, 4, 4 }, output.shape);
        Assert.Equal(0f, output.abs().sum().item<float>());
        Assert.Equal(0, calls.Total);
    }

    [Fact]
    public void ReductionNodeUsesStrideTwoOnlyFromCellInputs()
    {
        using var scope = torch.NewDisposeScope();
        int k = Operations.Default.Count;
        using var node = new SuperNetNode(1, Operations.Default, 4, reduction: true, affine: false, AppendedBatchNorm.None);
        var states = new List<Tensor> { torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.randn(2, 4, 4, 4) };
        // sep_conv_3x3 from input 1 (stride 2) and max_pool from node 0 (stride 1) both give 4 x 4.
        var output = node.forward(states, new NodeWeights([k + 3, 2 * k], torch.ones(2)), [2, 4, 4, 4], 0.0);
        Assert.Equal(new long[] { 2, 4, 4, 4 }, output.shape);
    }
}
