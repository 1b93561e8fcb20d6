using IstaNas.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Data;

/// <summary>The ImageNet transforms: torchvision's RandomResizedCrop, CenterCrop and ColorJitter.</summary>
public class ImageNetAugmentationTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    [Fact]
    public void RandomResizedCropWindowsKeepTheScaleAndRatioRangesAndOutputTheSize()
    {
        var crop = new RandomResizedCrop(24);
        var random = new DeterministicRandom(5);
        for (int i = 0; i < 2000; i++)
        {
            var (top, left, h, w) = crop.Window(40, 60, random);
            Assert.InRange(top, 0, 40 - h);
            Assert.InRange(left, 0, 60 - w);
            double share = (double)h * w / (40 * 60), ratio = (double)w / h;
            // Rounding each side to a whole pixel moves area and ratio a little beyond the drawn values.
            Assert.InRange(share, 0.08 * 0.8, 1.0);
            Assert.InRange(ratio, 0.75 * 0.8, 4.0 / 3.0 * 1.25);
        }

        using var scope = NewDisposeScope();
        Tensor images = rand(3, 3, 40, 60);
        Tensor output = crop.Apply(images, new DeterministicRandom(1));
        Assert.Equal(new long[] { 3, 3, 24, 24 }, output.shape);
        Assert.True(output.min().item<float>() >= 0 && output.max().item<float>() <= 1);
        Assert.True(Same(output, crop.Apply(images, new DeterministicRandom(1))), "equal random states give equal crops");
        Assert.False(Same(output, crop.Apply(images, new DeterministicRandom(2))));
    }

    [Fact]
    public void RandomResizedCropFallsBackToTheCentralWindowOfTheNearestRatio()
    {
        // A 4 x 100 strip: no window of ratio 3/4..4/3 with 8 % of its area fits, so every draw fails.
        var (top, left, h, w) = new RandomResizedCrop(8).Window(4, 100, new DeterministicRandom(3));
        Assert.Equal((0, 4, 5), (top, h, w - 0));
        Assert.Equal((100 - 5) / 2, left);
    }

    [Fact]
    public void ResizedCropOfTheWholeImageAtItsOwnSizeIsTheImage()
    {
        using var scope = NewDisposeScope();
        Tensor images = rand(2, 3, 8, 8);
        Assert.True(Same(RandomResizedCrop.ResizedCrop(images, 0, 0, 8, 8, 8), images));
        // Halving a constant image keeps it constant (the antialiased filter averages).
        Tensor grey = full(1, 1, 8, 8, 0.25f);
        Tensor half = RandomResizedCrop.ResizedCrop(grey, 0, 0, 8, 8, 4);
        Assert.True(half.allclose(full(1, 1, 4, 4, 0.25f), atol: 1e-6));
    }

    [Fact]
    public void CenterCropTakesTorchvisionsCentralWindow()
    {
        using var scope = NewDisposeScope();
        Tensor images = arange(1 * 1 * 7 * 9, dtype: float32).view(1, 1, 7, 9);
        Tensor cropped = new CenterCrop(4).Apply(images, new DeterministicRandom(0));
        // torchvision: top = round((7 - 4) / 2) = 2 (1.5 rounds to even), left = round((9 - 4) / 2) = 2.
        Assert.True(Same(cropped, images.narrow(2, 2, 4).narrow(3, 2, 4)));
        Assert.Throws<ArgumentException>(() => new CenterCrop(10).Apply(images, new DeterministicRandom(0)));
    }

    [Theory]
    // Python's colorsys.rgb_to_hsv on the same pixels.
    [InlineData(0.2, 0.4, 0.6, 0.5833333333333334, 0.6666666666666666, 0.6)]
    [InlineData(0.9, 0.1, 0.3, 0.9583333333333334, 0.888888888888889, 0.9)]
    [InlineData(0.5, 0.5, 0.1, 0.16666666666666666, 0.8, 0.5)]
    [InlineData(0.3, 0.3, 0.3, 0.0, 0.0, 0.3)]
    [InlineData(0.0, 0.8, 0.4, 0.4166666666666667, 1.0, 0.8)]
    public void HsvConversionMatchesColorsys(double r, double g, double b, double h, double s, double v)
    {
        using var scope = NewDisposeScope();
        Tensor rgb = tensor(new[] { r, g, b }, float64).view(3, 1, 1);
        double[] hsv = ColorJitter.RgbToHsv(rgb).data<double>().ToArray();
        Assert.Equal(h, hsv[0], 9);
        Assert.Equal(s, hsv[1], 9);
        Assert.Equal(v, hsv[2], 9);
        Assert.True(ColorJitter.HsvToRgb(ColorJitter.RgbToHsv(rgb)).allclose(rgb, atol: 1e-12));
    }

    [Fact]
    public void HueShiftMatchesColorsysAndRoundTripsOnRandomImages()
    {
        using var scope = NewDisposeScope();
        Tensor pixel = tensor(new[] { 0.9, 0.1, 0.3 }, float64).view(3, 1, 1);
        // colorsys: hsv_to_rgb((h + 0.25) % 1, s, v) = (0.7, 0.9, 0.1).
        Assert.True(ColorJitter.AdjustHue(pixel, 0.25).allclose(tensor(new[] { 0.7, 0.9, 0.1 }, float64).view(3, 1, 1), atol: 1e-9));
        torch.manual_seed(4);
        Tensor image = rand(3, 16, 16, dtype: float64);
        Assert.True(ColorJitter.AdjustHue(image, 0).allclose(image, atol: 1e-12));
        Assert.True(ColorJitter.AdjustHue(ColorJitter.AdjustHue(image, 0.3), -0.3).allclose(image, atol: 1e-9));
    }

    [Fact]
    public void BrightnessContrastAndSaturationBlendAsTorchvision()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(9);
        Tensor image = rand(3, 8, 8, dtype: float64);
        Tensor grey = (0.2989 * image[0]) + (0.587 * image[1]) + (0.114 * image[2]);
        Assert.True(ColorJitter.AdjustBrightness(image, 0.5).allclose(image * 0.5));
        Assert.True(ColorJitter.AdjustContrast(image, 0).allclose(grey.mean().expand(3, 8, 8)));
        Assert.True(ColorJitter.AdjustSaturation(image, 0).allclose(grey.unsqueeze(0).expand(3, 8, 8)));
        Assert.True(ColorJitter.AdjustSaturation(image, 1).allclose(image));
        Assert.True(ColorJitter.AdjustBrightness(image, 3).max().item<double>() <= 1);
    }

    [Fact]
    public void ColorJitterIsSeededKeepsTheRangeAndLeavesGreyImagesGrey()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        Tensor images = rand(4, 3, 8, 8);
        var jitter = new ColorJitter();
        Tensor a = jitter.Apply(images, new DeterministicRandom(7));
        Assert.True(Same(a, jitter.Apply(images, new DeterministicRandom(7))));
        Assert.False(Same(a, images));
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
        Tensor grey = rand(2, 1, 8, 8);
        Tensor jittered = jitter.Apply(grey, new DeterministicRandom(1));
        Assert.Equal(grey.shape, jittered.shape);
    }

    [Fact]
    public void TheImageNetPipelineCropsFlipsJittersAndNormalises()
    {
        using var scope = NewDisposeScope();
        Tensor bytes = randint(0, 256, [2, 3, 32, 32]).to_type(ScalarType.Byte);
        var pipeline = AugmentationPipeline.ImageNet(24, colorJitter: true);
        Tensor x = pipeline.Apply(bytes, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f], new DeterministicRandom(3));
        Assert.Equal(new long[] { 2, 3, 24, 24 }, x.shape);
        Assert.True(x.min().item<float>() >= -2.0001f && x.max().item<float>() <= 2.0001f);
    }
}
