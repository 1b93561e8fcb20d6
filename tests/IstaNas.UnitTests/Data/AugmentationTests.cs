using IstaNas.Data;
using static TorchSharp.torch;

namespace IstaNas.Tests.Data;

public class AugmentationTests
{
    /// <summary>A batch [B, C, H, W] whose entries are all distinct and positive: 1 + flat index.</summary>
    private static Tensor Distinct(int b, int c, int h, int w) =>
        arange(1, 1 + b * c * h * w, dtype: float32).view(b, c, h, w);

    [Fact]
    public void FlipMirrorsExactlyTheFlaggedImages()
    {
        using var x = Distinct(3, 2, 4, 5);
        using var y = RandomHorizontalFlip.Flip(x, [true, false, true]);
        var xs = x.data<float>().ToArray();
        var ys = y.data<float>().ToArray();
        for (int b = 0; b < 3; b++)
        {
            for (int c = 0; c < 2; c++)
            {
                for (int r = 0; r < 4; r++)
                {
                    for (int col = 0; col < 5; col++)
                    {
                        int srcCol = b == 1 ? col : 4 - col;
                        Assert.Equal(xs[((b * 2 + c) * 4 + r) * 5 + srcCol], ys[((b * 2 + c) * 4 + r) * 5 + col]);
                    }
                }
            }
        }
    }

    [Fact]
    public void FlipProbabilityZeroAndOne()
    {
        using var x = Distinct(4, 1, 3, 3);
        using var never = new RandomHorizontalFlip(0).Apply(x, new DeterministicRandom(1));
        using var always = new RandomHorizontalFlip(1).Apply(x, new DeterministicRandom(1));
        using var flipped = x.flip(3);
        Assert.True(TensorCompare.Same(never, x));
        Assert.True(TensorCompare.Same(always, flipped));
    }

    [Fact]
    public void CropShiftsWithZeroPadding()
    {
        using var x = Distinct(3, 2, 6, 6);
        // Offset (pad, pad) is the identity; (0, 0) shifts the image down-right; (2p, 2p) up-left.
        using var y = RandomCrop.Crop(x, [2, 0, 4], [2, 0, 4], padding: 2);
        Assert.Equal(x.shape, y.shape);
        Assert.True(TensorCompare.Same(y[0], x[0]));

        using var shifted = y[1];
        using var zerosTop = shifted[.., ..2, ..];
        using var zerosLeft = shifted[.., .., ..2];
        Assert.Equal(0f, zerosTop.abs().sum().item<float>());
        Assert.Equal(0f, zerosLeft.abs().sum().item<float>());
        using var body = shifted[.., 2.., 2..];
        using var source = x[1, .., ..4, ..4];
        Assert.True(TensorCompare.Same(body, source));

        using var up = y[2];
        using var upBody = up[.., ..4, ..4];
        using var upSource = x[2, .., 2.., 2..];
        Assert.True(TensorCompare.Same(upBody, upSource));
        using var bottom = up[.., 4.., ..];
        using var right = up[.., .., 4..];
        Assert.Equal(0f, bottom.abs().sum().item<float>());
        Assert.Equal(0f, right.abs().sum().item<float>());
    }

    [Fact]
    public void RandomCropUsesDrawnOffsetsReproducibly()
    {
        using var x = Distinct(16, 3, 8, 8);
        var rng = new DeterministicRandom(42);
        ulong saved = rng.State;
        using var a = new RandomCrop(4).Apply(x, rng);

        // Replay the documented draw order (row, column per image) from the saved state.
        var replay = new DeterministicRandom(saved);
        var rows = new long[16];
        var cols = new long[16];
        for (int i = 0; i < 16; i++)
        {
            rows[i] = replay.NextInt(9);
            cols[i] = replay.NextInt(9);
        }

        Assert.Equal(rng.State, replay.State);
        using var b = RandomCrop.Crop(x, rows, cols, 4);
        Assert.True(TensorCompare.Same(a, b));
        Assert.True(rows.Distinct().Count() > 1, "offsets should vary across the batch");

        rng.State = saved;
        using var again = new RandomCrop(4).Apply(x, rng);
        Assert.True(TensorCompare.Same(again, a));
    }

    [Theory]
    [InlineData(0, 0, 8, 8)]     // clipped top-left: rows/cols [-8, 8) -> [0, 8)
    [InlineData(16, 16, 16, 16)] // fully inside: [8, 24)
    [InlineData(31, 2, 9, 10)]   // rows [23, 39) -> [23, 32) = 9, cols [-6, 10) -> [0, 10) = 10
    public void CutoutZeroesExactlyTheClippedSquare(long cy, long cx, int rowsExpected, int colsExpected)
    {
        using var x = ones(1, 3, 32, 32);
        using var y = Cutout.Apply(x, [cy], [cx], 16);
        var v = y.data<float>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            for (int r = 0; r < 32; r++)
            {
                for (int col = 0; col < 32; col++)
                {
                    bool inSquare = r >= cy - 8 && r < cy + 8 && col >= cx - 8 && col < cx + 8;
                    Assert.Equal(inSquare ? 0f : 1f, v[(c * 32 + r) * 32 + col]);
                }
            }
        }

        Assert.Equal(3 * (1024 - rowsExpected * colsExpected), (int)y.sum().item<float>());
    }

    [Fact]
    public void RandomCutoutZeroesOneSquarePerImageAcrossChannels()
    {
        using var x = ones(32, 3, 32, 32);
        var rng = new DeterministicRandom(9);
        var replay = new DeterministicRandom(rng.State);
        using var y = new Cutout(16).Apply(x, rng);
        for (int i = 0; i < 32; i++)
        {
            int cy = replay.NextInt(32), cx = replay.NextInt(32);
            int rows = Math.Min(cy + 8, 32) - Math.Max(cy - 8, 0);
            int cols = Math.Min(cx + 8, 32) - Math.Max(cx - 8, 0);
            using var img = y[i];
            Assert.Equal(3 * (1024 - rows * cols), (int)img.sum().item<float>());
            using var ch0 = img[0];
            using var ch2 = img[2];
            Assert.True(TensorCompare.Same(ch0, ch2));
        }
    }

    [Fact]
    public void NormalisationUsesPerChannelMeanAndStd()
    {
        var bytes = new byte[] { 0, 255, 128, 64, 10, 20, 30, 40 }; // [1, 2, 2, 2]
        using var t = tensor(bytes, new long[] { 1, 2, 2, 2 }, uint8);
        using var n = Normalization.FromBytes(t, [0.5f, 0.25f], [0.2f, 0.1f]);
        Assert.Equal(float32, n.dtype);
        var v = n.data<float>().ToArray();
        for (int i = 0; i < 8; i++)
        {
            float mean = i < 4 ? 0.5f : 0.25f;
            float std = i < 4 ? 0.2f : 0.1f;
            Assert.Equal((bytes[i] / 255f - mean) / std, v[i], 5);
        }
    }

    [Fact]
    public void StandardPipelineKeepsShapeAndIsReproducibleFromState()
    {
        var ds = Synthetic.Create(8, seed: 2);
        using var bytes = ds.ToTensor();
        var pipeline = AugmentationPipeline.Standard(cutoutLength: 16);
        var rng = new DeterministicRandom(123);
        ulong state = rng.State;
        using var a = pipeline.Apply(bytes, ds.Mean, ds.Std, rng);
        Assert.Equal(new long[] { 8, 3, 32, 32 }, a.shape);
        Assert.Equal(float32, a.dtype);
        ulong after = rng.State;
        Assert.NotEqual(state, after);

        rng.State = state;
        using var b = pipeline.Apply(bytes, ds.Mean, ds.Std, rng);
        Assert.True(TensorCompare.Same(a, b));
        Assert.Equal(after, rng.State);

        using var c = pipeline.Apply(bytes, ds.Mean, ds.Std, rng);
        Assert.False(TensorCompare.Same(a, c));

        // Without augmentation the pipeline is exactly normalisation.
        using var plain = AugmentationPipeline.None.Apply(bytes, ds.Mean, ds.Std, rng);
        using var expected = Normalization.FromBytes(bytes, ds.Mean, ds.Std);
        Assert.True(plain.allclose(expected));
    }
}
