using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Networks;

/// <summary>DARTS' <c>NetworkImageNet</c> layout: parameter counts against DARTS' own model code, shapes, the image-size checks.</summary>
public class ImageNetNetworkTests
{
    private static EvaluationNetworkOptions ImageNet(int channels, int layers, int classes, bool auxiliary) =>
        new() { Layout = NetworkLayout.ImageNet, Channels = channels, Layers = layers, Classes = classes, Auxiliary = auxiliary };

    [Theory]
    // Counted with quark0/darts cnn/model.py NetworkImageNet(48, 1000, 14, True, genotype) under PyTorch, parameters whose
    // name holds "auxiliary" left out as in DARTS' count_parameters_in_MB: DARTS V2 is the 4.7 M of the DARTS paper's
    // ImageNet table, ISTA-NAS' ImageNet cell the 5.65 M of its paper.
    [InlineData("darts_v2", 48, 14, 1000, 4_718_752, 5_979_528)]
    [InlineData("ista_imagenet", 48, 14, 1000, 5_651_392, 6_912_168)]
    [InlineData("darts_v2", 8, 5, 5, 36_177, 449_878)]
    public void ParameterCountsEqualDartsNetworkImageNet(string genotype, int channels, int layers, int classes, long withoutAuxiliary, long withAuxiliary)
    {
        using var net = new EvaluationNetwork(ImageNet(channels, layers, classes, auxiliary: true), Genotype.Known(genotype));
        Assert.Equal(withoutAuxiliary, net.ParameterCount);
        Assert.Equal(withAuxiliary, net.ParameterCount + net.AuxiliaryParameterCount);
        Assert.Equal(NetworkLayout.ImageNet, net.Layout);
    }

    [Fact]
    public void DartsV2OnImageNetHasTheReportedFourPointSevenMillionParameters()
    {
        using var net = new EvaluationNetwork(ImageNet(48, 14, 1000, auxiliary: true), Genotype.Known("darts_v2"));
        Assert.Equal(4.7, Math.Round(net.ParameterCount / 1e6, 1));
    }

    [Fact]
    public void TheStemBringsImagesToAnEighthAndTheAuxiliaryHeadReadsSevenBySeven()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var net = new EvaluationNetwork(ImageNet(8, 5, 5, auxiliary: true), Genotype.Known("darts_v2"));
        var stems = net.StemModules;
        Assert.Equal(2, stems.Count);
        Tensor x = torch.randn(2, 3, 224, 224);
        Tensor s0 = stems[0].call(x), s1 = stems[1].call(s0);
        Assert.Equal(new long[] { 2, 8, 56, 56 }, s0.shape);
        Assert.Equal(new long[] { 2, 8, 28, 28 }, s1.shape);
        Assert.True(net.Cells[0].Preprocess0 is FactorizedReduce, "the first cell reads the stem's 1/4 output through a FactorizedReduce");

        net.train();
        var (logits, auxiliary) = net.ForwardWithAuxiliary(x);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        Assert.Equal(new long[] { 2, 5 }, auxiliary!.shape);
        net.eval();
        Assert.Null(net.ForwardWithAuxiliary(x).Auxiliary);
    }

    [Fact]
    public void WithoutTheAuxiliaryHeadSmallImagesWork()
    {
        using var scope = NewDisposeScope();
        using var net = new EvaluationNetwork(ImageNet(4, 3, 3, auxiliary: false), Genotype.Known("ista_imagenet"));
        Assert.Equal(new long[] { 1, 3 }, net.forward(torch.randn(1, 3, 64, 64)).shape);
    }

    [Fact]
    public void AnAuxiliaryHeadOnTheWrongImageSizeIsAClearError()
    {
        using var scope = NewDisposeScope();
        using var net = new EvaluationNetwork(ImageNet(4, 3, 3, auxiliary: true), Genotype.Known("darts_v2"));
        net.train();
        var ex = Assert.Throws<ArgumentException>(() => net.ForwardWithAuxiliary(torch.randn(1, 3, 64, 64)));
        Assert.Contains("auxiliary head", ex.Message);
        Assert.Contains("224 x 224", ex.Message);
        Assert.Contains("2 x 2", ex.Message);
    }

    [Theory]
    [InlineData(NetworkLayout.Cifar, 30)]
    [InlineData(NetworkLayout.ImageNet, 200)]
    [InlineData(NetworkLayout.ImageNet, 48)]
    public void ASideThatDoesNotHalveEvenlyIsAClearError(NetworkLayout layout, int side)
    {
        using var scope = NewDisposeScope();
        using var net = new EvaluationNetwork(
            new EvaluationNetworkOptions { Layout = layout, Channels = 4, Layers = 3, Classes = 3, Auxiliary = false }, Genotype.Known("darts_v2"));
        var ex = Assert.Throws<ArgumentException>(() => net.forward(torch.randn(1, 3, side, side)));
        Assert.Contains($"height {side}", ex.Message);
        Assert.Contains("multiple of", ex.Message);
    }

    [Fact]
    public void TheImageNetLayoutNeedsTwoChannels()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EvaluationNetwork(ImageNet(1, 3, 3, false), Genotype.Known("darts_v2")));
        Assert.Contains("Channels", ex.Message);
    }
}
