using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// Antialiased bilinear resizing of planar 8-bit images, the filter of Pillow's <c>Image.resize(…, BILINEAR)</c> (and
/// so of torchvision's <c>Resize</c> on PIL images): a triangle filter, widened by the scale factor when shrinking so
/// every source pixel contributes. Separable, horizontal pass first, kept in double precision between the passes and
/// rounded once at the end, so results match Pillow's to within one grey level. Pure managed arithmetic: the same input
/// gives the same bytes on every run and thread.
/// </summary>
internal static class ImageResampler
{
    /// <summary>
    /// Resizes <paramref name="source"/> ([C, inH, inW]) to <paramref name="scaledHeight"/>×<paramref name="scaledWidth"/>
    /// and writes the window of <paramref name="outHeight"/>×<paramref name="outWidth"/> pixels starting at
    /// (<paramref name="top"/>, <paramref name="left"/>) of that resized image to <paramref name="destination"/>
    /// ([C, outH, outW]). Without a crop the window is the whole resized image.
    /// </summary>
    public static void Resize(ReadOnlySpan<byte> source, int channels, int inHeight, int inWidth,
        int scaledHeight, int scaledWidth, int top, int left, int outHeight, int outWidth, Span<byte> destination)
    {
        if (scaledHeight == inHeight && scaledWidth == inWidth)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < outHeight; y++)
                {
                    source.Slice((c * inHeight + top + y) * inWidth + left, outWidth)
                        .CopyTo(destination.Slice((c * outHeight + y) * outWidth, outWidth));
                }
            }

            return;
        }

        var horizontal = Coefficients(inWidth, scaledWidth, left, outWidth);
        var vertical = Coefficients(inHeight, scaledHeight, top, outHeight);
        // Only the source rows the vertical pass reads need the horizontal pass.
        int firstRow = vertical.Start[0], lastRow = vertical.Start[^1] + vertical.Length[^1];
        int rows = lastRow - firstRow;
        var temp = new double[rows * outWidth];
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<byte> plane = source.Slice(c * inHeight * inWidth, inHeight * inWidth);
            for (int y = 0; y < rows; y++)
            {
                ReadOnlySpan<byte> row = plane.Slice((firstRow + y) * inWidth, inWidth);
                for (int x = 0; x < outWidth; x++)
                {
                    int start = horizontal.Start[x], n = horizontal.Length[x], w = x * horizontal.Stride;
                    double sum = 0;
                    for (int k = 0; k < n; k++)
                    {
                        sum += row[start + k] * horizontal.Weights[w + k];
                    }

                    temp[y * outWidth + x] = sum;
                }
            }

            Span<byte> output = destination.Slice(c * outHeight * outWidth, outHeight * outWidth);
            for (int y = 0; y < outHeight; y++)
            {
                int start = vertical.Start[y] - firstRow, n = vertical.Length[y], w = y * vertical.Stride;
                for (int x = 0; x < outWidth; x++)
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++)
                    {
                        sum += temp[(start + k) * outWidth + x] * vertical.Weights[w + k];
                    }

                    output[y * outWidth + x] = Round(sum);
                }
            }
        }
    }

    /// <summary>
    /// The geometry of resizing <paramref name="height"/>×<paramref name="width"/> to a <paramref name="size"/>-pixel
    /// square: the scaled size and the window to keep. Stretch scales both sides to <paramref name="size"/>; center crop
    /// scales the shorter side to <paramref name="size"/> (the longer one proportionally, truncated, as torchvision's
    /// <c>Resize(size)</c>) and keeps the central square (offset rounded as torchvision's <c>CenterCrop</c>).
    /// </summary>
    public static (int ScaledHeight, int ScaledWidth, int Top, int Left) Geometry(int height, int width, int size, ImageResizeMode mode)
    {
        if (mode == ImageResizeMode.Stretch)
        {
            return (size, size, 0, 0);
        }

        int scaledHeight, scaledWidth;
        if (width <= height)
        {
            scaledWidth = size;
            scaledHeight = Math.Max(size, (int)((long)size * height / width));
        }
        else
        {
            scaledHeight = size;
            scaledWidth = Math.Max(size, (int)((long)size * width / height));
        }

        int top = (int)Math.Round((scaledHeight - size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((scaledWidth - size) / 2.0, MidpointRounding.ToEven);
        return (scaledHeight, scaledWidth, top, left);
    }

    private static byte Round(double value) =>
        value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(int)(value + 0.5);

    /// <summary>Triangle-filter weights of output positions [offset, offset + count) of an axis resized from inSize to outSize.</summary>
    private static (int[] Start, int[] Length, double[] Weights, int Stride) Coefficients(int inSize, int outSize, int offset, int count)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale; // the triangle filter has support 1, widened when shrinking
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[count];
        var length = new int[count];
        var weights = new double[count * stride];
        for (int i = 0; i < count; i++)
        {
            double center = (offset + i + 0.5) * scale;
            int min = Math.Max(0, (int)(center - support + 0.5));
            int max = Math.Min(inSize, (int)(center + support + 0.5));
            int n = Math.Min(max - min, stride);
            double total = 0;
            for (int k = 0; k < n; k++)
            {
                double x = (min + k - center + 0.5) / filterScale;
                double w = Math.Max(0.0, 1.0 - Math.Abs(x));
                weights[i * stride + k] = w;
                total += w;
            }

            if (total > 0)
            {
                for (int k = 0; k < n; k++)
                {
                    weights[i * stride + k] /= total;
                }
            }

            start[i] = min;
            length[i] = n;
        }

        return (start, length, weights, stride);
    }
}
