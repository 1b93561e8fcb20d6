using IstaNas.Architecture;
using IstaNas.Choices;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Choices;

public class ChoiceTests
{
    private static nn.Module<Tensor, Tensor> Linear(int seed)
    {
        torch.manual_seed(seed);
        return nn.Linear(3, 2);
    }

    [Fact]
    public void RunsOnlyTheWeightedCandidatesAndSumsThem()
    {
        using var scope = torch.NewDisposeScope();
        var a = Linear(1);
        var b = Linear(2);
        var c = Linear(3);
        using var choice = Choice.Of("layer", 1, a, b, c);
        Tensor x = torch.randn(4, 3);
        Tensor w = torch.tensor(new float[] { 0.5f, -2f });
        choice.SetWeights(new NodeWeights([0, 2], w));
        Tensor expected = (0.5f * a.call(x)) + (-2f * c.call(x));
        Assert.True(choice.call(x).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void FixedChoiceRunsItsPicksWithWeightOne()
    {
        using var scope = torch.NewDisposeScope();
        var a = Linear(1);
        var b = Linear(2);
        var c = Linear(3);
        using var choice = Choice.Of("layer", 2, a, b, c);
        choice.Fix([2, 1]);
        Tensor x = torch.randn(4, 3);
        Assert.Equal([1, 2], choice.FixedPicks!);
        Assert.True(choice.call(x).allclose(b.call(x) + c.call(x), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void AFixedChoiceWithScalesMultipliesEachPickAndAPlainFixDropsThem()
    {
        using var scope = torch.NewDisposeScope();
        var a = Linear(1);
        var b = Linear(2);
        var c = Linear(3);
        using var choice = Choice.Of("layer", 2, a, b, c);
        choice.FixScaled([0, 2], [0.25f, -3f]);
        Tensor x = torch.randn(4, 3);
        Assert.Equal([0.25f, -3f], choice.FixedScales!);
        Assert.True(choice.call(x).allclose((0.25f * a.call(x)) + (-3f * c.call(x)), rtol: 1e-5, atol: 1e-6));
        Assert.Contains("picks with scales must be ascending", Assert.Throws<ArgumentException>(() => choice.FixScaled([2, 0], [1f, 1f])).Message, StringComparison.Ordinal);
        Assert.Contains("give one finite scale per pick", Assert.Throws<ArgumentException>(() => choice.FixScaled([0, 2], [1f])).Message, StringComparison.Ordinal);
        Assert.Contains("give one finite scale per pick", Assert.Throws<ArgumentException>(() => choice.FixScaled([0, 2], [1f, float.NaN])).Message, StringComparison.Ordinal);
        choice.Fix([0, 1]);
        Assert.Null(choice.FixedScales);
        Assert.True(choice.call(x).allclose(a.call(x) + b.call(x), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void CandidatesReadTheirOwnInputs()
    {
        using var scope = torch.NewDisposeScope();
        var a = Linear(1);
        var b = Linear(2);
        using var choice = Choice.OverInputs("node", 1, (0, a), (1, b));
        Tensor x0 = torch.randn(4, 3), x1 = torch.randn(4, 3);
        choice.SetWeights(new NodeWeights([1], torch.ones(1)));
        Assert.True(choice.forward([x0, x1]).allclose(b.call(x1)));
        var error = Assert.Throws<InvalidOperationException>(() => choice.call(x0));
        Assert.Contains("'node'", error.Message);
    }

    [Fact]
    public void CandidatesAreRegisteredAsSubmodulesSoTheirParametersTrain()
    {
        using var choice = Choice.Of("layer", 1, Linear(1), Linear(2)).NormalizedBy(nn.BatchNorm1d(2));
        Assert.Equal(6, choice.parameters().Count()); // two Linear (weight, bias) and the BN's gamma, beta
        Assert.Contains(choice.named_parameters(), p => p.name == "candidates.1.weight");
        Assert.Contains(choice.named_parameters(), p => p.name == "normalization.weight");
    }

    [Fact]
    public void BadDefinitionsAreRefusedWithTheChoiceNamed()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => Choice.Of("one", 1, Linear(1))).Message);
        Assert.Contains("picks (s) must be in 1..1", Assert.Throws<ArgumentOutOfRangeException>(() => Choice.Of("two", 2, Linear(1), Linear(2))).Message);
        Assert.Contains("non-empty name", Assert.Throws<ArgumentException>(() => Choice.Of(" ", 1, Linear(1), Linear(2))).Message);
        Assert.Contains("Candidate 1 of choice 'n' is null", Assert.Throws<ArgumentException>(() => Choice.Of("n", 1, Linear(1), null!)).Message);
        Assert.Contains("reads input -1", Assert.Throws<ArgumentOutOfRangeException>(() => Choice.OverInputs("n", 1, (0, Linear(1)), (-1, Linear(2)))).Message);
    }

    [Fact]
    public void BadWeightsAndPicksAreRefused()
    {
        using var choice = Choice.Of("layer", 1, Linear(1), Linear(2), Linear(3));
        Assert.Contains("out of range", Assert.Throws<ArgumentException>(() => choice.SetWeights(new NodeWeights([3], torch.ones(1)))).Message);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => choice.SetWeights(new NodeWeights([1, 1], torch.ones(2)))).Message);
        Assert.Contains("expected [1]", Assert.Throws<ArgumentException>(() => choice.SetWeights(new NodeWeights([1], torch.ones(2)))).Message);
        Assert.Contains("keeps 1 candidate(s) but 2", Assert.Throws<ArgumentException>(() => choice.Fix([0, 1])).Message);
        Assert.Contains("no architecture", Assert.Throws<InvalidOperationException>(() => choice.call(torch.randn(1, 3))).Message);
    }
}
