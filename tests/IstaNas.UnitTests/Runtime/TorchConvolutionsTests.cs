using IstaNas.Proxies;
using IstaNas.Runtime;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Runtime;

/// <summary>
/// <see cref="TorchConvolutions"/>: the check of LibTorch's convolution gradients, the oneDNN switch, and the refusal to
/// train on wrong gradients. The refusal is tested on every machine with a stand-in measurement; the check itself against
/// an independent measurement, with oneDNN on and off, so it fails where the check misses a fault or sees one that is not
/// there. The test run turned oneDNN off at start when the check failed (tests/Shared/AssemblyInfo.cs): each test puts
/// the setting back as it found it.
/// </summary>
[Collection(TorchGlobalStateCollection.Name)]
public class TorchConvolutionsTests
{
    /// <summary>The worst relative error of float32 conv gradients (random data, 8 and 12 channels) against float64.</summary>
    private static double IndependentError()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(123);
        double worst = 0;
        foreach (var (input, weight, padding) in new (long[], long[], long)[] { ([2, 8, 10, 10], [8, 8, 3, 3], 1), ([3, 12, 9, 9], [12, 12, 5, 5], 2) })
        {
            Tensor x = randn(input, generator: generator), w = randn(weight, generator: generator), g = randn([input[0], weight[0], input[2], input[3]], generator: generator);
            Tensor[] grads32 = Gradients(x, w, g, padding), grads64 = Gradients(x.to(float64), w.to(float64), g.to(float64), padding);
            for (int i = 0; i < 2; i++)
            {
                double error = (grads32[i].to(float64) - grads64[i]).abs().max().item<double>() / Math.Max(1, grads64[i].abs().max().item<double>());
                worst = Math.Max(worst, double.IsFinite(error) ? error : double.PositiveInfinity);
            }
        }

        return worst;
    }

    private static Tensor[] Gradients(Tensor x, Tensor w, Tensor g, long padding)
    {
        Tensor input = x.clone().requires_grad_(true), weight = w.clone().requires_grad_(true);
        (nn.functional.conv2d(input, weight, padding: [padding, padding]) * g).sum().backward();
        return [input.grad!.detach(), weight.grad!.detach()];
    }

    private static void WithMeasurement(double error, Action action)
    {
        try
        {
            TorchConvolutions.SetMeasurementForTests(() => error);
            action();
        }
        finally
        {
            TorchConvolutions.SetMeasurementForTests(null);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheCheckAgreesWithAnIndependentMeasurement(bool oneDnn) => OneDnnSetting.With(oneDnn, () =>
    {
        Assert.Equal(oneDnn, TorchConvolutions.OneDnnEnabled);
        double independent = IndependentError();
        Assert.True(TorchConvolutions.CheckGradients() == independent <= 1e-3,
            $"oneDNN {(oneDnn ? "on" : "off")}: the check says {TorchConvolutions.CheckGradients()}, an independent measurement gives a relative error of {independent:G3}");
        Assert.True(TorchConvolutions.GradientError() >= 0);
    });

    [Fact]
    public void LibTorchsOwnKernelsAreRight() =>
        OneDnnSetting.With(false, () => Assert.True(TorchConvolutions.CheckGradients(), $"error {TorchConvolutions.GradientError():G3} with oneDNN off"));

    [Fact]
    public void TheCheckDrawsNothingFromTheRandomGenerator()
    {
        TorchConvolutions.SetMeasurementForTests(null); // forget what was measured: the next call measures again
        manual_seed(77);
        using Tensor expected = rand(5);
        manual_seed(77);
        _ = TorchConvolutions.CheckGradients();
        using Tensor actual = rand(5);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void ASearchRefusesToTrainOnWrongGradientsAndSaysWhatToDo()
    {
        using var dir = new TempDirectory();
        WithMeasurement(0.7, () => OneDnnSetting.With(true, () =>
        {
            var steps = new List<StepReport>();
            var e = Assert.Throws<InvalidOperationException>(() => new SearchBuilder().UseDataset(TinySearch.Data(count: 64))
                .UseTwoStage(o => { TinySearch.Configure(o, epochs: 1, steps: 1); o.CheckpointDirectory = dir.Path; })
                .WithStepProgress(new InlineProgress<StepReport>(steps.Add)).Build().Run());
            Assert.Contains("wrong gradients", e.Message, StringComparison.Ordinal);
            Assert.Contains("0.7 relative to a float64 reference", e.Message, StringComparison.Ordinal);
            Assert.Contains("TorchConvolutions.SetOneDnnEnabled(false)", e.Message, StringComparison.Ordinal);
            Assert.Contains("ONEDNN_MAX_CPU_ISA=AVX2", e.Message, StringComparison.Ordinal);
            Assert.Empty(steps); // refused before the first step
            Assert.Empty(Directory.GetFiles(dir.Path, "*.ckpt"));
        }));
    }

    [Fact]
    public void NaNGradientsAndAFaultWithOneDnnOffAreNamedToo()
    {
        WithMeasurement(double.PositiveInfinity, () => OneDnnSetting.With(true, () =>
            Assert.Contains("NaN or infinite values", Assert.Throws<InvalidOperationException>(() => TorchConvolutions.EnsureRightGradients(CPU)).Message, StringComparison.Ordinal)));
        WithMeasurement(0.2, () => OneDnnSetting.With(false, () =>
            Assert.Contains("even with oneDNN off", Assert.Throws<InvalidOperationException>(() => TorchConvolutions.EnsureRightGradients(CPU)).Message, StringComparison.Ordinal)));
        WithMeasurement(1e-7, () => OneDnnSetting.With(true, () => TorchConvolutions.EnsureRightGradients(CPU))); // right: nothing thrown
    }

    [Fact]
    public void JacobCovRefusesFloat32OnWrongGradientsButNotFloat64()
    {
        using var model = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 2));
        using Tensor batch = randn(4, 3, 4, 4, generator: new Generator(5));
        WithMeasurement(0.5, () => OneDnnSetting.With(true, () =>
        {
            Assert.Throws<InvalidOperationException>(() => ZeroCostProxies.JacobCov(model, batch));
            model.to(float64);
            using Tensor wide = batch.to(float64);
            Assert.False(double.IsInfinity(ZeroCostProxies.JacobCov(model, wide))); // float64 convolutions never run in oneDNN
            model.to(float32);
        }));
    }
}
