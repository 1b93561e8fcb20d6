using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

/// <summary>The resize filter against values worked out by hand from the triangle filter's definition.</summary>
public class ImageResamplerTests
{
    private static byte[] Resize(byte[] row, int outWidth)
    {
        var result = new byte[outWidth];
        ImageResampler.Resize(row, 1, 1, row.Length, 1, outWidth, 0, 0, 1, outWidth, result);
        return result;
    }

    [Fact]
    public void ShrinkingWidensTheTriangleSoEverySourcePixelCounts()
    {
        // Halving: support 2, weights (.75, .75, .25)/1.75 at the left edge and (.25, .75, .75)/1.75 at the right.
        Assert.Equal([71, 203], Resize([0, 100, 200, 240], 2));
    }

    [Fact]
    public void EnlargingInterpolatesLinearlyBetweenPixelCentres()
    {
        Assert.Equal([0, 25, 75, 100], Resize([0, 100], 4));
    }

    [Fact]
    public void TheSameSizeIsACopyAndColumnsAndRowsAreIndependent()
    {
        byte[] image = Enumerable.Range(0, 2 * 3 * 5).Select(i => (byte)(i * 7)).ToArray();
        var same = new byte[image.Length];
        ImageResampler.Resize(image, 2, 3, 5, 3, 5, 0, 0, 3, 5, same);
        Assert.Equal(image, same);

        // A window of an unscaled image is a plain crop.
        var window = new byte[2 * 2 * 3];
        ImageResampler.Resize(image, 2, 3, 5, 3, 5, 1, 2, 2, 3, window);
        Assert.Equal([image[7], image[8], image[9], image[12], image[13], image[14], image[22], image[23], image[24], image[27], image[28], image[29]], window);
    }

    [Theory]
    [InlineData(40, 20, 10, 20, 10, 5, 0)]  // tall: width to 10, height 20, middle rows
    [InlineData(32, 64, 32, 32, 64, 0, 16)] // wide, already the right height
    [InlineData(10, 15, 4, 4, 6, 0, 1)]     // 15·4/10 = 6 columns, offset round(1) = 1
    [InlineData(10, 13, 4, 4, 5, 0, 0)]     // 13·4/10 = 5.2 → 5 columns, offset round(0.5) = 0 (to even, as Python)
    public void CenterCropGeometryFollowsTorchvision(int height, int width, int size, int scaledHeight, int scaledWidth, int top, int left)
    {
        Assert.Equal((scaledHeight, scaledWidth, top, left), ImageResampler.Geometry(height, width, size, ImageResizeMode.CenterCrop));
        Assert.Equal((size, size, 0, 0), ImageResampler.Geometry(height, width, size, ImageResizeMode.Stretch));
    }
}
