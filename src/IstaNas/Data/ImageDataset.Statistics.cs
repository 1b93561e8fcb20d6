using System.Runtime.ExceptionServices;

namespace IstaNas.Data;

/// <summary>The per-channel normalisation statistics of an <see cref="ImageDataset"/>: over all images or a seeded sample, independent of thread scheduling.</summary>
public abstract partial class ImageDataset
{
    /// <summary>
    /// Computes per-channel mean and (population) standard deviation of pixel/255 over all images.
    /// </summary>
    /// <param name="pixels">Pixel bytes in [N, C, H, W] order.</param>
    /// <param name="count">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="planeSize">H·W.</param>
    /// <returns>Mean and std arrays of length C; a zero std is replaced by 1 so normalisation stays finite.</returns>
    internal static (float[] Mean, float[] Std) ComputeChannelStatistics(ReadOnlySpan<byte> pixels, int count, int channels, int planeSize)
    {
        if (pixels.Length != (long)count * channels * planeSize)
        {
            throw new ArgumentException("Pixel span length does not match count x channels x planeSize.", nameof(pixels));
        }

        var sums = new long[channels];
        var squares = new long[channels];
        for (int n = 0; n < count; n++)
        {
            AddImageSums(pixels.Slice(n * channels * planeSize, channels * planeSize), channels, planeSize, sums, squares);
        }

        return StatisticsFromSums(sums, squares, (double)count * planeSize);
    }

    /// <summary>
    /// Computes per-channel mean and (population) standard deviation of pixel/255 over all images, or over a seeded
    /// random sample of <paramref name="sampleSize"/> of them. The result does not depend on thread scheduling.
    /// </summary>
    /// <param name="sampleSize">Number of images to sample; null (or at least <see cref="LabelledDataset.Count"/>) uses all images.</param>
    /// <param name="seed">Seed of the sample.</param>
    /// <returns>Mean and std arrays of length C; a zero std is replaced by 1 so normalisation stays finite.</returns>
    public (float[] Mean, float[] Std) ComputeChannelStatistics(int? sampleSize = null, int seed = 0)
    {
        if (sampleSize is int s)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(s, 1, nameof(sampleSize));
        }

        int[] indices = StatisticsSample(Count, sampleSize, seed);
        int channels = Channels, plane = Height * Width;
        var perImage = new long[indices.Length * channels * 2];
        ForEachImage(indices, DecodesOnDemand ? Environment.ProcessorCount : 1, CancellationToken.None, (i, image) =>
        {
            var sums = new long[channels];
            var squares = new long[channels];
            AddImageSums(image, channels, plane, sums, squares);
            sums.CopyTo(perImage, i * channels * 2);
            squares.CopyTo(perImage, i * channels * 2 + channels);
        });

        var total = new long[channels];
        var totalSquares = new long[channels];
        for (int i = 0; i < indices.Length; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                total[c] += perImage[i * channels * 2 + c];
                totalSquares[c] += perImage[i * channels * 2 + channels + c];
            }
        }

        return StatisticsFromSums(total, totalSquares, (double)indices.Length * plane);
    }

    /// <summary>Seeded sample of image indices for statistics (all indices, in order, when the sample covers the set).</summary>
    internal static int[] StatisticsSample(int count, int? sampleSize, int seed)
    {
        if (sampleSize is not int s || s >= count)
        {
            return Enumerable.Range(0, count).ToArray();
        }

        int[] order = Enumerable.Range(0, count).ToArray();
        DeterministicRandom.FromKeys(seed, 0x57A7).Shuffle<int>(order);
        int[] sample = order[..s];
        Array.Sort(sample);
        return sample;
    }

    internal static void AddImageSums(ReadOnlySpan<byte> image, int channels, int planeSize, Span<long> sums, Span<long> squares)
    {
        for (int c = 0; c < channels; c++)
        {
            long s = 0, q = 0;
            foreach (byte b in image.Slice(c * planeSize, planeSize))
            {
                s += b;
                q += b * b;
            }

            sums[c] += s;
            squares[c] += q;
        }
    }

    internal static (float[] Mean, float[] Std) StatisticsFromSums(long[] sums, long[] squares, double total)
    {
        int channels = sums.Length;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = total > 0 ? sums[c] / total : 0.0;
            double v = total > 0 ? squares[c] / total - m * m : 0.0;
            double sd = Math.Sqrt(Math.Max(v, 0.0));
            mean[c] = (float)(m / 255.0);
            std[c] = sd > 0 ? (float)(sd / 255.0) : 1f;
        }

        return (mean, std);
    }

    private void ForEachImage(int[] indices, int parallelism, CancellationToken cancellationToken, Action<int, ReadOnlySpan<byte>> action)
    {
        int size = ImageSize;
        if (parallelism <= 1)
        {
            var buffer = new byte[size];
            for (int i = 0; i < indices.Length; i++)
            {
                ReadImage(indices[i], buffer);
                action(i, buffer);
            }

            return;
        }

        var errors = new Exception?[indices.Length];
        Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            () => new byte[size],
            (i, _, buffer) =>
            {
                try
                {
                    ReadImage(indices[i], buffer);
                    action(i, buffer);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors[i] = e;
                }

                return buffer;
            },
            _ => { });
        foreach (Exception? e in errors)
        {
            if (e is not null)
            {
                ExceptionDispatchInfo.Capture(e).Throw();
            }
        }
    }
}
