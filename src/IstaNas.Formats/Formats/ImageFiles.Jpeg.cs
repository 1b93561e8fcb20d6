using System.Buffers.Binary;
using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>The JPEG checks: the frame header found by walking the segments, and the whole file's segments and scans up to the end-of-image marker.</summary>
internal static partial class ImageFiles
{
    private static ImageHeader JpegHeader(string path, FileStream stream, long length)
    {
        Span<byte> b = stackalloc byte[8];
        while (true)
        {
            long at = stream.Position;
            int marker = NextMarker(path, stream, length);
            if (marker is 0xD9 or 0xDA)
            {
                throw new DataFormatException(path, $"the JPEG file has no frame header (SOF) before its {(marker == 0xDA ? "image data" : "end")} at byte {at}.");
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            if (stream.ReadAtLeast(b[..2], 2, throwOnEndOfStream: false) < 2)
            {
                throw new DataFormatException(path, $"the JPEG file is truncated: it ends inside the segment at byte {at}.");
            }

            int segment = BinaryPrimitives.ReadUInt16BigEndian(b);
            if (segment < 2 || stream.Position - 2 + segment > length)
            {
                throw new DataFormatException(path, $"the JPEG file is truncated or corrupt: the segment at byte {at} claims {segment} bytes.");
            }

            if (IsFrame(marker))
            {
                if (segment < 8 || stream.ReadAtLeast(b[..6], 6, throwOnEndOfStream: false) < 6)
                {
                    throw new DataFormatException(path, $"the JPEG frame header at byte {at} is too short.");
                }

                return Frame(path, marker, BinaryPrimitives.ReadUInt16BigEndian(b[1..]), BinaryPrimitives.ReadUInt16BigEndian(b[3..]), b[5]);
            }

            stream.Seek(segment - 2, SeekOrigin.Current);
        }
    }

    private static int NextMarker(string path, FileStream stream, long length)
    {
        long at = stream.Position;
        int b = stream.ReadByte();
        if (b < 0)
        {
            throw new DataFormatException(path, $"the JPEG file is truncated: it ends at byte {length} without an end-of-image marker.");
        }

        if (b != 0xFF)
        {
            throw new DataFormatException(path, $"the JPEG file is corrupt: byte {at} should start a marker.");
        }

        do
        {
            b = stream.ReadByte();
        }
        while (b == 0xFF);

        return b >= 0 ? b : throw new DataFormatException(path, $"the JPEG file is truncated: it ends at byte {length} inside a marker.");
    }

    private static ImageHeader ValidateJpeg(string path, ReadOnlySpan<byte> data)
    {
        ImageHeader? header = null;
        bool scan = false;
        int pos = 2;
        while (true)
        {
            if (pos >= data.Length)
            {
                throw new DataFormatException(path, $"the JPEG file is truncated: it ends at byte {data.Length} without an end-of-image marker.");
            }

            int at = pos;
            if (data[pos] != 0xFF)
            {
                throw new DataFormatException(path, $"the JPEG file is corrupt: byte {pos} should start a marker.");
            }

            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                throw new DataFormatException(path, $"the JPEG file is truncated: it ends at byte {data.Length} inside a marker.");
            }

            int marker = data[pos++];
            if (marker == 0xD9)
            {
                if (header is null || !scan)
                {
                    throw new DataFormatException(path, "the JPEG file ends before any image data.");
                }

                return header.Value;
            }

            if (marker is 0x00 or 0x01 or (>= 0xD0 and <= 0xD8))
            {
                throw new DataFormatException(path, $"the JPEG file is corrupt: unexpected marker 0x{marker:X2} at byte {at}.");
            }

            if (data.Length - pos < 2)
            {
                throw new DataFormatException(path, $"the JPEG file is truncated: it ends inside the segment at byte {at}.");
            }

            int segment = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (segment < 2 || segment > data.Length - pos)
            {
                throw new DataFormatException(path, $"the JPEG file is truncated or corrupt: the segment at byte {at} claims {segment} bytes but {data.Length - pos} remain.");
            }

            if (IsFrame(marker) && header is null)
            {
                if (segment < 8)
                {
                    throw new DataFormatException(path, $"the JPEG frame header at byte {at} is too short.");
                }

                header = Frame(path, marker, BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 3)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 5)..]), data[pos + 7]);
            }

            pos += segment;
            if (marker != 0xDA)
            {
                continue;
            }

            if (header is null)
            {
                throw new DataFormatException(path, $"the JPEG file has image data at byte {at} before its frame header (SOF).");
            }

            scan = true;
            // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte), a restart marker or fill bytes; anything
            // else is the next marker.
            while (true)
            {
                int ff = data[pos..].IndexOf((byte)0xFF);
                if (ff < 0 || pos + ff + 1 >= data.Length)
                {
                    throw new DataFormatException(path, $"the JPEG file is truncated: its image data ends at byte {data.Length} without an end-of-image marker.");
                }

                pos += ff;
                byte next = data[pos + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
                {
                    pos += 2;
                }
                else if (next == 0xFF)
                {
                    pos += 1;
                }
                else
                {
                    break;
                }
            }
        }
    }

    private static bool IsFrame(int marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    private static ImageHeader Frame(string path, int marker, int height, int width, int components)
    {
        if (marker is not (0xC0 or 0xC1 or 0xC2))
        {
            string what = marker is 0xC3 or 0xC7 or 0xCB or 0xCF ? "lossless" : marker >= 0xC9 ? "arithmetic-coded" : "hierarchical";
            throw new DataFormatException(path, $"the file is a {what} JPEG (SOF marker 0x{marker:X2}), which the decoder does not support.");
        }

        if (height == 0 || width == 0)
        {
            throw new DataFormatException(path, $"the JPEG frame header gives a size of {width}x{height}.");
        }

        if (components is not (1 or 3 or 4))
        {
            throw new DataFormatException(path, $"the JPEG file has {components} colour components; 1, 3 or 4 are supported.");
        }

        return new ImageHeader(ImageKind.Jpeg, width, height);
    }
}
