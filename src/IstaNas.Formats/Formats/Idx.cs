using IstaNas.Data;
using IstaNas.Validation;

namespace IstaNas.Formats;

/// <summary>
/// Reader for the IDX format used by MNIST and Fashion-MNIST: an images file (magic 0x00000803, then big-endian
/// 32-bit N, rows, columns, then N·rows·columns bytes) and a labels file (magic 0x00000801, big-endian N, then N bytes).
/// Files may be gzip-compressed (detected from the content, so the <c>.gz</c> suffix is optional). The mean and
/// standard deviation are computed from the loaded (and padded) data.
/// </summary>
internal static class Idx
{
    /// <summary>Magic number of an unsigned-byte, three-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte, one-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Loads an IDX images/labels pair.</summary>
    /// <param name="imagesPath">Path of the images file (optionally gzipped).</param>
    /// <param name="labelsPath">Path of the labels file (optionally gzipped).</param>
    /// <param name="options">Channel replication, padding, class count and name; null for defaults.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">
    /// A file is empty, has the wrong magic number, is shorter (or longer) than its header says, the label count differs
    /// from the image count, or a label is not below <see cref="IdxLoadOptions.ClassCount"/>.
    /// </exception>
    public static ImageDataset Load(string imagesPath, string labelsPath, IdxLoadOptions? options = null)
    {
        options ??= new IdxLoadOptions();
        OptionsValidation.ValidateArgument(options, (f, _) => new ArgumentOutOfRangeException(f.Argument, f.Value, f.Message));

        byte[] images = DataFiles.ReadAll(imagesPath, 16, h => Declared(h, ImagesMagic, 3));
        byte[] labelBytes = DataFiles.ReadAll(labelsPath, 8, h => Declared(h, LabelsMagic, 1));

        CheckHeader(imagesPath, images, ImagesMagic, 3);
        int n = ReadDim(imagesPath, images, 0);
        int rows = ReadDim(imagesPath, images, 1);
        int cols = ReadDim(imagesPath, images, 2);
        if (n == 0)
        {
            throw new DataFormatException(imagesPath, "the header declares 0 images.");
        }

        if (rows == 0 || cols == 0)
        {
            throw new DataFormatException(imagesPath, $"the header declares images of {rows}x{cols} pixels; an image needs at least one row and one column.");
        }

        CheckPayload(imagesPath, images.Length, 16, (long)n * rows * cols, $"{n} images of {rows}x{cols}");

        CheckHeader(labelsPath, labelBytes, LabelsMagic, 1);
        int labelCount = ReadDim(labelsPath, labelBytes, 0);
        CheckPayload(labelsPath, labelBytes.Length, 8, labelCount, $"{labelCount} labels");
        if (labelCount != n)
        {
            throw new DataFormatException(labelsPath,
                $"the labels file holds {labelCount} labels but the images file '{imagesPath}' holds {n} images.");
        }

        var labels = new int[n];
        int maxLabel = 0;
        for (int i = 0; i < n; i++)
        {
            labels[i] = labelBytes[8 + i];
            maxLabel = Math.Max(maxLabel, labels[i]);
        }

        if (options.ClassCount is null) CheckOutlyingLabel(labelsPath, labels, maxLabel);
        int classCount = options.ClassCount ?? maxLabel + 1;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new DataFormatException(labelsPath, $"label {i} is {labels[i]}, outside the valid range 0..{classCount - 1}.");
            }
        }

        int height = rows, width = cols, top = 0, left = 0;
        if (options.PadTo is int pad)
        {
            if (pad < rows || pad < cols)
            {
                throw new ArgumentOutOfRangeException("padTo", pad, $"padTo ({pad}) is smaller than the {rows}x{cols} images of '{imagesPath}'.");
            }

            height = width = pad;
            top = (pad - rows) / 2;
            left = (pad - cols) / 2;
        }

        int channels = options.Channels;
        long outSize = (long)n * channels * height * width;
        if (outSize > Array.MaxLength)
        {
            throw new NotSupportedException($"{n} images of {channels}x{height}x{width} exceed the maximum in-memory array size.");
        }

        var pixels = new byte[outSize];
        int plane = height * width;
        for (int i = 0; i < n; i++)
        {
            int src = 16 + i * rows * cols;
            int imageStart = i * channels * plane;
            for (int r = 0; r < rows; r++)
            {
                Buffer.BlockCopy(images, src + r * cols, pixels, imageStart + (r + top) * width + left, cols);
            }

            for (int c = 1; c < channels; c++)
            {
                Buffer.BlockCopy(pixels, imageStart, pixels, imageStart + c * plane, plane);
            }
        }

        var (mean, std) = ImageDataset.ComputeChannelStatistics(pixels, n, channels, plane);
        string name = options.Name ?? Path.GetFileName(imagesPath);
        return new InMemoryImageDataset(name, pixels, labels, channels, height, width, classCount, mean, std, null);
    }

    /// <summary>
    /// With the class count inferred (the largest label plus one), refuses a largest label that stands apart from the rest:
    /// when more classes lie empty between it and the next-largest label than there are distinct labels in use (255 among 0..9
    /// would make a 256-class problem with 246 empty classes), it is a marker or a corrupt byte, not a class.
    /// </summary>
    private static void CheckOutlyingLabel(string path, int[] labels, int maxLabel)
    {
        var used = new bool[maxLabel + 1];
        foreach (int label in labels) used[label] = true;
        int distinct = used.Count(u => u);
        int next = maxLabel - 1;
        while (next >= 0 && !used[next]) next--;
        int empty = maxLabel - next - 1;
        if (empty > distinct)
        {
            int at = Array.IndexOf(labels, maxLabel);
            throw new DataFormatException(path,
                $"label {at} is {maxLabel}, far above the {(next >= 0 ? $"next-largest label {next}" : "other labels")}: the labels would make {maxLabel + 1} classes, of which only {distinct} have an image. " +
                "If that label is meant, give the class count (classCount); otherwise fix the label.");
        }
    }

    /// <summary>The payload bytes an IDX header declares (the product of its dimensions), or -1 when it is not a header of this kind.</summary>
    private static long Declared(byte[] header, int magic, int dims)
    {
        if (ReadBigEndian(header, 0) != magic) return -1;
        long bytes = 1;
        for (int d = 0; d < dims; d++)
        {
            int value = ReadBigEndian(header, 4 + 4 * d);
            if (value < 0) return -1;
            bytes *= value;
            if (bytes > Array.MaxLength) return -1;
        }

        return bytes;
    }

    private static void CheckHeader(string path, byte[] data, int expectedMagic, int dims)
    {
        int headerLength = 4 + 4 * dims;
        if (data.Length < 4)
        {
            throw new DataFormatException(path, $"the file is only {data.Length} bytes, too short for an IDX magic number.");
        }

        int magic = ReadBigEndian(data, 0);
        if (magic != expectedMagic)
        {
            throw new DataFormatException(path,
                $"wrong IDX magic number: expected 0x{expectedMagic:X8}, found 0x{magic:X8}.");
        }

        if (data.Length < headerLength)
        {
            throw new DataFormatException(path,
                $"the file is truncated: {data.Length} bytes is shorter than the {headerLength}-byte IDX header.");
        }
    }

    private static int ReadDim(string path, byte[] data, int index)
    {
        int value = ReadBigEndian(data, 4 + 4 * index);
        if (value < 0)
        {
            throw new DataFormatException(path, $"header dimension {index} is negative ({value}).");
        }

        return value;
    }

    private static void CheckPayload(string path, int length, int headerLength, long expected, string what)
    {
        long actual = length - headerLength;
        if (actual < expected)
        {
            throw new DataFormatException(path,
                $"the file is truncated: the header promises {what} ({expected} data bytes) but only {actual} bytes follow the header.");
        }

        if (actual > expected)
        {
            throw new DataFormatException(path,
                $"the file has {actual - expected} unexpected bytes after the {what} ({expected} data bytes) its header describes.");
        }
    }

    private static int ReadBigEndian(byte[] data, int offset) =>
        (data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3];
}
