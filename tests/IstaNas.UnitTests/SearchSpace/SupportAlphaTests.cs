using IstaNas.SearchSpace;
using static TorchSharp.torch;

namespace IstaNas.Tests.SearchSpace;

/// <summary>The support (s largest |z|) and alpha_S = A_S^T b + (z_S - A_S^T A_S z_S), on their own.</summary>
public class SupportAlphaTests
{
    [Fact]
    public void SupportIsTheSLargestMagnitudesAscendingTiesToTheLowerIndex()
    {
        Assert.Equal([1, 3], SupportAlpha.Support([0.1, -0.9, 0.0, 0.5, 0.2], 2));
        Assert.Equal([0, 2], SupportAlpha.Support([0.5, 0.0, -0.5, 0.5], 2)); // a three-way tie keeps indices 0 and 2
        Assert.Equal([2], SupportAlpha.Support([0.0, 0.0, -1e-9], 1));
    }

    [Fact]
    public void WeightsAreOneGradientStepOfTheLeastSquaresTermRestrictedToTheSupport()
    {
        using var scope = NewDisposeScope();
        Tensor a = tensor(new double[] { 0.2, 0.7, 0.1, 0.4, 0.9, 0.3, 0.5, 0.8, 0.6, 0.05, 0.35, 0.45 }, [3, 4], dtype: float64);
        Tensor z = tensor(new double[] { 0.0, 0.8, 0.3, -0.6 }, dtype: float64);
        Tensor b = tensor(new double[] { 0.25, -0.4, 0.9 }, dtype: float64).requires_grad_(true);
        int[] support = SupportAlpha.Support(z.data<double>().ToArray(), 2);
        Assert.Equal([1, 3], support);

        using var alpha = new SupportAlpha(a, z, support);
        Tensor weights = alpha.Weights(b);

        // alpha_j = z_j + a_j^T (b - A z_S), z_S the code thresholded to S, computed by hand on host values.
        double[,] am = { { 0.2, 0.7, 0.1, 0.4 }, { 0.9, 0.3, 0.5, 0.8 }, { 0.6, 0.05, 0.35, 0.45 } };
        double[] bv = [0.25, -0.4, 0.9], zs = [0.0, 0.8, 0.0, -0.6];
        double[] residual = [.. Enumerable.Range(0, 3).Select(r => bv[r] - Enumerable.Range(0, 4).Sum(c => am[r, c] * zs[c]))];
        for (int k = 0; k < support.Length; k++)
        {
            int j = support[k];
            double expected = zs[j] + Enumerable.Range(0, 3).Sum(r => am[r, j] * residual[r]);
            Assert.Equal(expected, weights[k].item<double>(), 1e-12);
        }

        // Linear in b: d alpha_k / d b = a_{S_k}, the support's columns of A.
        for (int k = 0; k < support.Length; k++)
        {
            b.grad = null;
            weights[k].backward(retain_graph: true);
            Assert.True(b.grad!.allclose(a[TensorIndex.Colon, support[k]], rtol: 0, atol: 1e-15), $"candidate {support[k]}");
        }
    }
}
