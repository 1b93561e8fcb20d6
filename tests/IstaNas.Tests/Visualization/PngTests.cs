using IstaNas.Visualization.Plots;

namespace IstaNas.Tests.Visualization;

public class PngTests
{
    [Fact]
    public void EncodedPixelsDecodeBackExactly()
    {
        var canvas = new Canvas(7, 5, Rgb.White);
        canvas.FillRect(2, 1, 4, 3, new Rgb(10, 20, 30));
        PngReader.Image image = PngReader.Decode(canvas.ToPng());
        Assert.Equal((7, 5), (image.Width, image.Height));
        Assert.Equal(canvas.Pixels.ToArray(), image.Rgb);
        Assert.Equal(((byte)10, (byte)20, (byte)30), image[2, 1]);
        Assert.Equal(((byte)255, (byte)255, (byte)255), image[4, 3]);
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Png.Crc32("123456789"u8) ^ 0xFFFFFFFFu);
    }

    [Fact]
    public void TextAndLinesLeaveInk()
    {
        var canvas = new Canvas(80, 30, Rgb.White);
        canvas.Text(2, 2, "sep_conv_3x3", Rgb.Black);
        canvas.Line(0, 25, 79, 25, new Rgb(255, 0, 0), 2);
        PngReader.Image image = PngReader.Decode(canvas.ToPng());
        Assert.Contains(Enumerable.Range(0, 80), x => image[x, 5] == (0, 0, 0));
        Assert.Equal(((byte)255, (byte)0, (byte)0), image[40, 25]);
    }
}
