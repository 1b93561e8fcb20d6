using System.Buffers.Binary;
using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// Managed, bounds-checked structure checks of PNG, JPEG and BMP files. <see cref="ReadHeader"/> reads only what it
/// needs for the size (cheap enough to run on every file of a large folder up front); <see cref="Validate"/> walks the
/// whole file (PNG chunks with their CRCs, JPEG segments and scans up to the end-of-image marker, the BMP pixel array's
/// extent). The decoder (StbImageSharp) is only ever given files that passed <see cref="Validate"/>: it does not detect
/// truncation (it makes up the missing pixels) and can loop forever on a JPEG whose segment runs past the end of
/// the file. The format is recognised from the content, not the extension.
/// </summary>
internal static partial class ImageFiles
{
    /// <summary>The largest width or height the decoder accepts.</summary>
    public const int MaxDimension = 1 << 24;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Reads the format and size from the start of the file (seeking over JPEG segments).</summary>
    /// <exception cref="DataFormatException">The file is empty, not PNG/JPEG/BMP, or its header is invalid or truncated.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ImageHeader ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.None);
        long length = stream.Length;
        if (length == 0)
        {
            throw new DataFormatException(path, "the file is empty (0 bytes).");
        }

        Span<byte> head = stackalloc byte[64];
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..got];
        ImageKind kind = Recognise(path, head);
        switch (kind)
        {
            case ImageKind.Png:
                return PngHeader(path, head);
            case ImageKind.Bmp:
                return BmpHeader(path, head, length);
            default:
                stream.Position = 2;
                return JpegHeader(path, stream, length);
        }
    }

    /// <summary>Checks the structure of the whole file and returns its header.</summary>
    /// <exception cref="DataFormatException">The file is not a complete, well-formed PNG, JPEG or BMP file.</exception>
    public static ImageHeader Validate(string path, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new DataFormatException(path, "the file is empty (0 bytes).");
        }

        return Recognise(path, data) switch
        {
            ImageKind.Png => ValidatePng(path, data),
            ImageKind.Bmp => ValidateBmp(path, data),
            _ => ValidateJpeg(path, data),
        };
    }

    private static ImageKind Recognise(string path, ReadOnlySpan<byte> head)
    {
        if (head.Length >= 8 && head[..8].SequenceEqual(PngSignature))
        {
            return ImageKind.Png;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return ImageKind.Jpeg;
        }

        if (head.Length >= 2 && head[0] == (byte)'B' && head[1] == (byte)'M')
        {
            return ImageKind.Bmp;
        }

        string start = Convert.ToHexString(head[..Math.Min(head.Length, 8)]);
        throw new DataFormatException(path, $"not a PNG, JPEG or BMP image (the file starts with bytes {start}).");
    }

    private static ImageHeader PngHeader(string path, ReadOnlySpan<byte> head)
    {
        if (head.Length < 33)
        {
            throw new DataFormatException(path, $"the PNG file is truncated: {head.Length} bytes cannot hold the signature and the IHDR chunk.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(head[8..]) != 13 || !head.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new DataFormatException(path, "the PNG file does not start with a 13-byte IHDR chunk.");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(head[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(head[20..]);
        byte depth = head[24], colour = head[25];
        bool valid = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            2 or 4 or 6 => depth is 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => false,
        };
        if (!valid)
        {
            throw new DataFormatException(path, $"the PNG header has an invalid colour type {colour} with bit depth {depth}.");
        }

        if (head[26] != 0 || head[27] != 0 || head[28] > 1)
        {
            throw new DataFormatException(path, $"the PNG header has an unknown compression ({head[26]}), filter ({head[27]}) or interlace ({head[28]}) method.");
        }

        return new ImageHeader(ImageKind.Png, Dimension(path, "PNG", "width", width), Dimension(path, "PNG", "height", height));
    }

    private static ImageHeader ValidatePng(string path, ReadOnlySpan<byte> data)
    {
        ImageHeader header = PngHeader(path, data);
        int pos = 8;
        bool idat = false;
        while (true)
        {
            if (data.Length - pos < 12)
            {
                throw new DataFormatException(path, $"the PNG file is truncated: it ends at byte {data.Length} before the IEND chunk.");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            ReadOnlySpan<byte> type = data.Slice(pos + 4, 4);
            foreach (byte b in type)
            {
                if (!char.IsAsciiLetter((char)b))
                {
                    throw new DataFormatException(path, $"the PNG file is corrupt: the chunk at byte {pos} has an invalid type.");
                }
            }

            string name = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || length > data.Length - pos - 12)
            {
                throw new DataFormatException(path, $"the PNG file is truncated: its {name} chunk at byte {pos} needs {length} data bytes that the file does not have.");
            }

            int end = pos + 8 + (int)length;
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[end..]);
            if (Crc32(data[(pos + 4)..end]) != stored)
            {
                throw new DataFormatException(path, $"the PNG file is corrupt: the CRC of its {name} chunk at byte {pos} does not match.");
            }

            if (name == "IDAT")
            {
                idat = true;
            }
            else if (name == "IEND")
            {
                return idat ? header : throw new DataFormatException(path, "the PNG file has no image data (no IDAT chunk).");
            }

            pos = end + 4;
        }
    }

    private static ImageHeader BmpHeader(string path, ReadOnlySpan<byte> head, long length)
    {
        if (head.Length < 26)
        {
            throw new DataFormatException(path, $"the BMP file is truncated: {head.Length} bytes cannot hold its headers.");
        }

        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(head[10..]);
        uint infoSize = BinaryPrimitives.ReadUInt32LittleEndian(head[14..]);
        if (infoSize is not (12 or 40 or 56 or 108 or 124))
        {
            throw new DataFormatException(path, $"the BMP file has an unsupported info header of {infoSize} bytes.");
        }

        if (head.Length < 14 + Math.Min(infoSize, 40u))
        {
            throw new DataFormatException(path, "the BMP file is truncated inside its info header.");
        }

        long width, height;
        int planes, bits;
        uint compression = 0;
        if (infoSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(head[18..]);
            height = BinaryPrimitives.ReadInt16LittleEndian(head[20..]);
            planes = BinaryPrimitives.ReadUInt16LittleEndian(head[22..]);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(head[24..]);
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(head[18..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(head[22..]);
            planes = BinaryPrimitives.ReadUInt16LittleEndian(head[26..]);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(head[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(head[30..]);
        }

        if (planes != 1 || bits is not (1 or 4 or 8 or 16 or 24 or 32))
        {
            throw new DataFormatException(path, $"the BMP file has {planes} planes and {bits} bits per pixel; 1 plane of 1, 4, 8, 16, 24 or 32 bits is supported.");
        }

        if (compression is not (0 or 3))
        {
            throw new DataFormatException(path, $"the BMP file uses compression method {compression} (RLE or embedded JPEG/PNG), which the decoder does not support.");
        }

        height = Math.Abs(height);
        var header = new ImageHeader(ImageKind.Bmp, Dimension(path, "BMP", "width", width), Dimension(path, "BMP", "height", height));
        long stride = (header.Width * (long)bits + 31) / 32 * 4;
        if (offset < 14 + infoSize || offset + stride * header.Height > length)
        {
            throw new DataFormatException(path,
                $"the BMP file is truncated or corrupt: {header.Width}x{header.Height} pixels at {bits} bits from byte {offset} need {offset + stride * header.Height} bytes; the file has {length}.");
        }

        return header;
    }

    private static ImageHeader ValidateBmp(string path, ReadOnlySpan<byte> data) =>
        BmpHeader(path, data[..Math.Min(data.Length, 64)], data.Length);

    private static int Dimension(string path, string format, string what, long value)
    {
        if (value <= 0 || value > MaxDimension)
        {
            throw new DataFormatException(path, $"the {format} header gives an image {what} of {value}; it must be between 1 and {MaxDimension}.");
        }

        return (int)value;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
