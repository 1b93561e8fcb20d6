using System.IO.Compression;

namespace IstaNas.Tests.Data;

/// <summary>A temporary directory deleted on dispose, with writers for the real binary formats.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "istanas-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A distinctive pixel value for (record, channel, row, column) so layout errors show up.</summary>
    public static byte PixelValue(int record, int channel, int row, int column) =>
        (byte)((record * 31 + channel * 85 + row * 7 + column * 3) % 256);

    /// <summary>Writes CIFAR records: label bytes, then the R, G, B 32×32 planes row-major.</summary>
    public string WriteCifar(string name, IReadOnlyList<byte[]> labelBytesPerRecord, int firstRecord = 0)
    {
        using var stream = System.IO.File.Create(File(name));
        for (int i = 0; i < labelBytesPerRecord.Count; i++)
        {
            stream.Write(labelBytesPerRecord[i]);
            for (int c = 0; c < 3; c++)
            {
                for (int r = 0; r < 32; r++)
                {
                    for (int col = 0; col < 32; col++)
                    {
                        stream.WriteByte(PixelValue(firstRecord + i, c, r, col));
                    }
                }
            }
        }

        return File(name);
    }

    public static byte[] IdxImages(int count, int rows, int cols, int magic = 0x00000803)
    {
        var data = new byte[16 + count * rows * cols];
        BigEndian(data, 0, magic);
        BigEndian(data, 4, count);
        BigEndian(data, 8, rows);
        BigEndian(data, 12, cols);
        for (int n = 0; n < count; n++)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++)
                {
                    data[16 + (n * rows + r) * cols + c] = PixelValue(n, 0, r, c);
                }
            }
        }

        return data;
    }

    public static byte[] IdxLabels(IReadOnlyList<byte> labels, int magic = 0x00000801)
    {
        var data = new byte[8 + labels.Count];
        BigEndian(data, 0, magic);
        BigEndian(data, 4, labels.Count);
        for (int i = 0; i < labels.Count; i++)
        {
            data[8 + i] = labels[i];
        }

        return data;
    }

    public string WriteBytes(string name, byte[] data, bool gzip = false)
    {
        if (gzip)
        {
            using var file = System.IO.File.Create(File(name));
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(data);
        }
        else
        {
            System.IO.File.WriteAllBytes(File(name), data);
        }

        return File(name);
    }

    private static void BigEndian(byte[] data, int offset, int value)
    {
        data[offset] = (byte)(value >> 24);
        data[offset + 1] = (byte)(value >> 16);
        data[offset + 2] = (byte)(value >> 8);
        data[offset + 3] = (byte)value;
    }
}
