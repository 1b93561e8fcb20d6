using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>Shared parser for the CIFAR binary record layout: label bytes followed by 3×32×32 planar RGB.</summary>
internal static class CifarBinary
{
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>
    /// Parses files of records with <paramref name="labelBytes"/> leading label bytes; the label byte at
    /// <paramref name="labelOffset"/> becomes the label. Every label byte is range-checked against its own limit in
    /// <paramref name="labelLimits"/>.
    /// </summary>
    public static (byte[] Pixels, int[] Labels) Read(IReadOnlyList<string> files, int labelBytes, int labelOffset,
        IReadOnlyList<int> labelLimits, IReadOnlyList<string> labelNames)
    {
        int record = labelBytes + ImageBytes;
        var chunks = new List<byte[]>(files.Count);
        long total = 0;
        foreach (string file in files)
        {
            DataFiles.RequireFile(file);
            byte[] raw = File.ReadAllBytes(file);
            if (raw.Length == 0)
            {
                throw new DataFormatException(file, "the file is empty (0 bytes).");
            }

            if (raw.Length % record != 0)
            {
                throw new DataFormatException(file,
                    $"the file is truncated or not a CIFAR binary file: its size {raw.Length} bytes is not a multiple of the " +
                    $"record length {record} ({raw.Length / record} complete records and {raw.Length % record} extra bytes).");
            }

            int n = raw.Length / record;
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < labelBytes; k++)
                {
                    int label = raw[(long)i * record + k];
                    if (label >= labelLimits[k])
                    {
                        throw new DataFormatException(file,
                            $"record {i} has {labelNames[k]} label {label}, outside the valid range 0..{labelLimits[k] - 1}.");
                    }
                }
            }

            chunks.Add(raw);
            total += n;
        }

        if (total * ImageBytes > Array.MaxLength)
        {
            throw new NotSupportedException($"{total} CIFAR images exceed the maximum in-memory array size.");
        }

        var pixels = new byte[total * ImageBytes];
        var labels = new int[total];
        int at = 0;
        foreach (byte[] raw in chunks)
        {
            int n = raw.Length / record;
            for (int i = 0; i < n; i++, at++)
            {
                labels[at] = raw[(long)i * record + labelOffset];
                Buffer.BlockCopy(raw, i * record + labelBytes, pixels, at * ImageBytes, ImageBytes);
            }
        }

        return (pixels, labels);
    }
}
