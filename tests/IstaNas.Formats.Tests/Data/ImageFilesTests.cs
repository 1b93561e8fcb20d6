using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

/// <summary>The structure checks in front of the decoder: corrupt files fail with a message naming them, never hang or crash.</summary>
public class ImageFilesTests
{
    private static byte[] Encode(string kind, int width, int height)
    {
        using var dir = new TempDirectory();
        byte[] rgb = TestImages.Textured(width, height, 1, 2);
        string path = kind switch
        {
            "png" => TestImages.WritePng(dir.File("x.png"), rgb, width, height),
            "jpg" => TestImages.WriteJpeg(dir.File("x.jpg"), rgb, width, height, 80),
            _ => TestImages.WriteBmp(dir.File("x.bmp"), rgb, width, height),
        };
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void APngWithAWrongChunkCrcIsCorrupt()
    {
        byte[] png = Encode("png", 9, 9);
        png[^20] ^= 0x40; // inside the IDAT chunk
        var e = Assert.Throws<DataFormatException>(() => ImageFiles.Validate("/x/flipped.png", png));
        Assert.Equal("/x/flipped.png", e.FilePath);
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void ATruncatedBmpIsCaughtFromItsHeader()
    {
        byte[] bmp = Encode("bmp", 9, 9);
        Assert.Equal(new ImageHeader(ImageKind.Bmp, 9, 9), ImageFiles.Validate("/x/ok.bmp", bmp));
        var e = Assert.Throws<DataFormatException>(() => ImageFiles.Validate("/x/cut.bmp", bmp[..^10]));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task MutatedFilesDecodeOrFailCleanlyAndQuickly()
    {
        // A deterministic mini-fuzz: bytes overwritten, bits flipped, cuts and insertions, in the headers and the data.
        // (Run with 300,000 mutations while this was written, with no hang, crash or other exception type.)
        var bases = new[] { Encode("png", 11, 7), Encode("jpg", 16, 12), Encode("bmp", 5, 6) };
        using var dir = new TempDirectory();
        string path = dir.File("m.img");
        int decoded = 0, rejected = 0;
        await Task.Run(() =>
        {
            var rng = DeterministicRandom.FromKeys(2024);
            var destination = new byte[3 * 8 * 8];
            for (int it = 0; it < 1500; it++)
            {
                byte[] d = (byte[])bases[it % bases.Length].Clone();
                switch (rng.NextInt(5))
                {
                    case 0:
                        for (int k = rng.NextInt(1, 8); k > 0; k--) d[rng.NextInt(d.Length)] = (byte)rng.NextInt(256);
                        break;
                    case 1:
                        d = d[..rng.NextInt(d.Length)];
                        break;
                    case 2:
                        d[rng.NextInt(d.Length)] ^= (byte)(1 << rng.NextInt(8));
                        break;
                    case 3:
                        int at = rng.NextInt(d.Length);
                        d = [.. d[..at], .. Enumerable.Range(0, rng.NextInt(1, 20)).Select(_ => (byte)rng.NextInt(256)), .. d[at..]];
                        break;
                    default:
                        for (int k = rng.NextInt(1, 5); k > 0; k--) d[rng.NextInt(Math.Min(d.Length, 64))] = (byte)rng.NextInt(256);
                        break;
                }

                File.WriteAllBytes(path, d);
                try
                {
                    ImageFiles.ReadHeader(path);
                    ImageDecoder.Decode(path, 3, 8, ImageResizeMode.Stretch, 8, 8, 1 << 20, destination);
                    decoded++;
                }
                catch (DataFormatException e) when (e.FilePath == path)
                {
                    rejected++;
                }
            }
        }).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(1500, decoded + rejected);
        Assert.True(rejected > 500, $"only {rejected} of 1500 mutations were rejected");
    }
}
