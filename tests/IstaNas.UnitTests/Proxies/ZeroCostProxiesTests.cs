using IstaNas.Proxies;
using IstaNas.Spaces.Nb201;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Proxies;

public class ZeroCostProxiesTests
{
    [Fact]
    public void SynflowOfALinearLayerIsTheSumOfItsAbsoluteWeights()
    {
        // R = sum(|W| 1 + |b|), so dR/dW = 1 everywhere and the score is sum |W|.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var model = nn.Linear(5, 3);
        double expected = model.weight!.abs().sum().to(ScalarType.Float64).item<double>();
        Assert.Equal(expected, ZeroCostProxies.Synflow(model, [5]), 6);
    }

    [Fact]
    public void SynflowLeavesTheModelAsItWas()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        using var model = Nb201Space.Network(Nb201Architecture.Uniform("nor_conv_3x3"), channels: 4, cellsPerStage: 1);
        model.eval();
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        ZeroCostProxies.Synflow(model, [3, 8, 8]);
        Assert.False(model.training);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
        foreach (var (name, value) in model.state_dict()) Assert.True(value.allclose(before[name], rtol: 0, atol: 0), $"{name} changed");
    }

    [Fact]
    public void SynflowRanksTheEmptyCellBelowTheConvolutionCell()
    {
        using var scope = torch.NewDisposeScope();
        double Score(string op)
        {
            torch.manual_seed(5);
            using var model = Nb201Space.SearchModel(batchNorm: false);
            Nb201Space.Fix(model, Nb201Architecture.Uniform(op));
            return ZeroCostProxies.Synflow(model, [3, 32, 32]);
        }

        double none = Score("none"), skip = Score("skip_connect"), conv = Score("nor_conv_3x3");
        Assert.True(none < skip && skip < conv, $"none {none}, skip_connect {skip}, nor_conv_3x3 {conv}");
    }

    [Fact]
    public void NwotIsTheLogDeterminantOfTheAgreementKernel()
    {
        using var scope = torch.NewDisposeScope();
        using var model = nn.Sequential(nn.ReLU());
        Tensor x = torch.tensor(new float[] { 1, -1, 2, 1, 1, -3, -1, -1, 1 }, [3, 3]);
        // Codes 110, 101, 001: agreements K = [[3,1,0],[1,3,2],[0,2,3]], det = 27 - 3 - 12 = 12.
        Assert.Equal(Math.Log(12), ZeroCostProxies.Nwot(model, x), 9);
    }

    [Fact]
    public void JacobCovOfAModelWithOneJacobianForAllSamplesHasTheClosedForm()
    {
        // Every row of J is the same vector, so the correlation matrix is all ones: eigenvalues N and N-1 zeros.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using var model = nn.Linear(4, 1);
        const int n = 5;
        const double k = 1e-5;
        double expected = -(Math.Log(n + k) + (1 / (n + k)) + ((n - 1) * (Math.Log(k) + (1 / k))));
        double actual = ZeroCostProxies.JacobCov(model, torch.randn(n, 4));
        Assert.Equal(1.0, actual / expected, 6);
    }

    [Fact]
    public void JacobCovGradientsAreTheInputGradientsOfTheSummedOutputs()
    {
        // y = relu(W1 x) W2^T summed over outputs: dy/dx = W1^T diag(W1 x > 0) W2^T 1 per sample (what the reference's
        // get_batch_jacobian returns and tools/zero-cost-reference compares), and the score is that of these gradients.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var first = nn.Linear(4, 6, hasBias: false);
        var second = nn.Linear(6, 3, hasBias: false);
        using var model = nn.Sequential(first, nn.ReLU(), second);
        Tensor x = torch.randn(5, 4);
        var (score, gradients) = ZeroCostProxies.JacobCovWithGradients(model, x);
        Tensor w1 = first.weight!.detach(), w2 = second.weight!.detach();
        Tensor active = w1.matmul(x.t()).gt(0).to(ScalarType.Float32);
        Tensor expected = active.mul(w2.sum([0L]).unsqueeze(1)).t().matmul(w1);
        Assert.Equal([5L, 4L], gradients.shape);
        Assert.True(gradients.allclose(expected, rtol: 1e-5, atol: 1e-6), $"gradients {gradients.str()} expected {expected.str()}");
        Assert.Equal(ZeroCostProxies.JacobCov(model, x), score, 12);
        Assert.Equal(ZeroCostProxies.JacobCovScore(gradients), score, 12);
        gradients.Dispose();
    }

    [Fact]
    public void JacobCovIsNaNWhenTheOutputIgnoresTheInputAndTheBatchMustHaveTwoSamples()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Nb201Space.Network(Nb201Architecture.Uniform("none"), channels: 4, cellsPerStage: 1);
        Assert.True(double.IsNaN(ZeroCostProxies.JacobCov(model, torch.randn(3, 3, 8, 8))));
        Assert.Contains("at least 2 samples", Assert.Throws<ArgumentException>(() => ZeroCostProxies.Nwot(model, torch.randn(1, 3, 8, 8))).Message);
        Assert.Contains("nn.ReLU", Assert.Throws<ArgumentException>(() => ZeroCostProxies.Nwot(nn.Linear(2, 2), torch.randn(3, 2))).Message);
    }
}
