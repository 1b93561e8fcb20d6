using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;

namespace IstaNas.Tests.Networks;

public class OperationTests
{
    public static TheoryData<string> AllNames() => new(Operations.Default.Append(Operations.None));

    [Theory]
    [MemberData(nameof(AllNames))]
    public void OutputShapeStrideOneKeepsSize(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var op = OperationFactory.Create(name, 4, 1, affine: true, AppendedBatchNorm.None);
        var x = torch.randn(2, 4, 8, 8);
        var y = op.forward(x);
        Assert.Equal(new long[] { 2, 4, 8, 8 }, y.shape);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void OutputShapeStrideTwoHalvesSize(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        using var op = OperationFactory.Create(name, 4, 2, affine: true, AppendedBatchNorm.PoolsAndSkip);
        var x = torch.randn(2, 4, 8, 8);
        var y = op.forward(x);
        Assert.Equal(new long[] { 2, 4, 4, 4 }, y.shape);
    }

    [Theory]
    [InlineData(Operations.SepConv3x3, 1)]
    [InlineData(Operations.SepConv5x5, 2)]
    [InlineData(Operations.DilConv3x3, 1)]
    [InlineData(Operations.DilConv5x5, 2)]
    [InlineData(Operations.SkipConnect, 2)]
    public void ForwardAndBackwardReachInputAndWeights(string name, int stride)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var op = OperationFactory.Create(name, 4, stride, affine: true, AppendedBatchNorm.None);
        var x = torch.randn(new long[] { 2, 4, 8, 8 }, requires_grad: true);
        var loss = op.forward(x).pow(2).sum();
        loss.backward();
        Assert.NotNull(x.grad);
        Assert.True(x.grad!.abs().sum().item<float>() > 0f);
        foreach (var p in op.parameters())
        {
            Assert.NotNull(p.grad);
        }
    }

    [Theory]
    [InlineData(Operations.MaxPool3x3, 1)]
    [InlineData(Operations.AvgPool3x3, 2)]
    [InlineData(Operations.SkipConnect, 1)]
    public void ParameterFreeOperationsPassGradient(string name, int stride)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        using var op = OperationFactory.Create(name, 4, stride, affine: false, AppendedBatchNorm.None);
        var x = torch.randn(new long[] { 2, 4, 8, 8 }, requires_grad: true);
        op.forward(x).sum().backward();
        Assert.True(x.grad!.abs().sum().item<float>() > 0f);
    }

    // C = 4: depthwise k x k = 4 k^2, pointwise = 16, affine BN = 8; FactorizedReduce = 2 * (4 * 2) + BN.
    [Theory]
    [InlineData(Operations.SepConv3x3, 1, true, false, 120)]
    [InlineData(Operations.SepConv3x3, 2, false, false, 104)]
    [InlineData(Operations.SepConv5x5, 1, true, false, 248)]
    [InlineData(Operations.SepConv5x5, 1, false, false, 232)]
    [InlineData(Operations.DilConv3x3, 1, true, false, 60)]
    [InlineData(Operations.DilConv3x3, 2, false, false, 52)]
    [InlineData(Operations.DilConv5x5, 1, true, false, 124)]
    [InlineData(Operations.DilConv5x5, 1, false, false, 116)]
    [InlineData(Operations.SkipConnect, 1, true, false, 0)]
    [InlineData(Operations.SkipConnect, 1, true, true, 8)]
    [InlineData(Operations.SkipConnect, 1, false, true, 0)]
    [InlineData(Operations.SkipConnect, 2, true, false, 24)]
    [InlineData(Operations.SkipConnect, 2, false, true, 16)]
    [InlineData(Operations.MaxPool3x3, 1, true, false, 0)]
    [InlineData(Operations.MaxPool3x3, 2, true, true, 8)]
    [InlineData(Operations.AvgPool3x3, 1, true, true, 8)]
    [InlineData(Operations.AvgPool3x3, 1, false, true, 0)]
    [InlineData(Operations.None, 2, true, true, 0)]
    public void ParameterCounts(string name, int stride, bool affine, bool appendBatchNorm, long expected)
    {
        using var op = OperationFactory.Create(name, 4, stride, affine, appendBatchNorm ? AppendedBatchNorm.PoolsAndSkip : AppendedBatchNorm.None);
        Assert.Equal(expected, NetworkTestHelpers.CountParameters(op));
    }

    [Theory]
    [InlineData(Operations.MaxPool3x3, 2, false)]
    [InlineData(Operations.MaxPool3x3, 1, true)]
    [InlineData(Operations.AvgPool3x3, 1, true)]
    [InlineData(Operations.SkipConnect, 1, true)]
    [InlineData(Operations.SkipConnect, 2, false)]
    [InlineData(Operations.SepConv3x3, 1, false)]
    [InlineData(Operations.DilConv5x5, 2, false)]
    public void EveryOperationEndsWithBatchNormInOneStageForm(string name, int stride, bool affine)
    {
        using var op = OperationFactory.Create(name, 4, stride, affine, AppendedBatchNorm.PoolsAndSkip);
        Assert.NotNull(op.OutputBatchNorm);
    }

    [Fact]
    public void ParameterFreeOperationsHaveNoBatchNormInTwoStageForm()
    {
        foreach (var name in new[] { Operations.MaxPool3x3, Operations.AvgPool3x3, Operations.SkipConnect })
        {
            using var op = OperationFactory.Create(name, 4, 1, affine: false, AppendedBatchNorm.None);
            Assert.Null(op.OutputBatchNorm);
        }
    }

    [Fact]
    public void AveragePoolExcludesPadding()
    {
        using var scope = torch.NewDisposeScope();
        using var op = OperationFactory.Create(Operations.AvgPool3x3, 1, 1, affine: false, AppendedBatchNorm.None);
        var y = op.forward(torch.ones(1, 1, 4, 4));
        Assert.Equal(1f, y.min().item<float>(), 6);
        Assert.Equal(1f, y.max().item<float>(), 6);
    }

    [Fact]
    public void IdentityReturnsInputValuesAndZeroReturnsZeros()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 6, 6);
        using var identity = OperationFactory.Create(Operations.SkipConnect, 4, 1, affine: false, AppendedBatchNorm.None);
        using var zero = OperationFactory.Create(Operations.None, 4, 1, affine: false, AppendedBatchNorm.None);
        Assert.True(identity.IsBareIdentity);
        Assert.True(identity.forward(x).allclose(x, rtol: 0, atol: 0));
        Assert.Equal(0f, zero.forward(x).abs().sum().item<float>());
    }

    [Theory]
    [InlineData("conv_7x7", 4, 1, "name")]
    [InlineData(Operations.SepConv3x3, 0, 1, "channels")]
    [InlineData(Operations.SepConv3x3, 4, 3, "stride")]
    public void FactoryRejectsInvalidArguments(string name, int channels, int stride, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => OperationFactory.Create(name, channels, stride, false, AppendedBatchNorm.None));
        Assert.Equal(parameter, ex.ParamName);
    }
}
