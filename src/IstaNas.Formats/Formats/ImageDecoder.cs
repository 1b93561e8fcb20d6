using IstaNas.Data;
using StbImageSharp;

namespace IstaNas.Formats;

/// <summary>
/// Turns one image file into C×H×W bytes: reads it, checks its whole structure (<see cref="ImageFiles.Validate"/>),
/// decodes it with StbImageSharp to 8-bit RGB (16-bit PNGs are reduced to 8 bits, alpha is dropped, grey is
/// replicated), converts to grey when one channel is wanted (Pillow's ITU-R 601-2 luma,
/// L = (19595·R + 38470·G + 7471·B + 32768) >> 16), and resizes with <see cref="ImageResampler"/>.
/// Thread-safe.
/// </summary>
internal static class ImageDecoder
{
    private static readonly Lock FailureGate = new();

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="destination"/> ([channels, outSize, outSize] when
    /// <paramref name="size"/> is set, else [channels, H, W] of the file, which must then be
    /// <paramref name="height"/>×<paramref name="width"/>).
    /// </summary>
    /// <exception cref="DataFormatException">The file is not a complete PNG/JPEG/BMP image, is too large, or fails to decode.</exception>
    /// <exception cref="FileNotFoundException">The file no longer exists.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static void Decode(string path, int channels, int? size, ImageResizeMode mode, int height, int width, long maxPixels, Span<byte> destination)
    {
        byte[] data = ReadFile(path);
        ImageHeader header = ImageFiles.Validate(path, data);
        CheckPixels(path, header, maxPixels);
        if (size is null && (header.Height != height || header.Width != width))
        {
            throw new DataFormatException(path, $"the image is {header} but the data set's images are {width}x{height} (set an image size to resize them).");
        }

        ImageResult image = DecodeRgb(path, data, header);
        int h = image.Height, w = image.Width, plane = h * w;
        byte[] rgb = image.Data;
        var planar = new byte[channels * plane];
        if (channels == 3)
        {
            for (int i = 0; i < plane; i++)
            {
                planar[i] = rgb[3 * i];
                planar[plane + i] = rgb[3 * i + 1];
                planar[2 * plane + i] = rgb[3 * i + 2];
            }
        }
        else
        {
            for (int i = 0; i < plane; i++)
            {
                planar[i] = (byte)((19595 * rgb[3 * i] + 38470 * rgb[3 * i + 1] + 7471 * rgb[3 * i + 2] + 32768) >> 16);
            }
        }

        if (size is int s)
        {
            var (scaledHeight, scaledWidth, top, left) = ImageResampler.Geometry(h, w, s, mode);
            ImageResampler.Resize(planar, channels, h, w, scaledHeight, scaledWidth, top, left, s, s, destination);
        }
        else
        {
            planar.CopyTo(destination);
        }
    }

    /// <summary>Rejects images whose decoded size would exceed <paramref name="maxPixels"/>.</summary>
    public static void CheckPixels(string path, ImageHeader header, long maxPixels)
    {
        if ((long)header.Width * header.Height > maxPixels)
        {
            throw new DataFormatException(path,
                $"the image is {header} = {(long)header.Width * header.Height} pixels, more than the limit of {maxPixels} (ImageFolderOptions.MaxSourcePixels).");
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Image file '{path}' no longer exists (it was listed when the data set was created).", path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot read image file '{path}': {e.Message}", e);
        }
    }

    private static ImageResult DecodeRgb(string path, byte[] data, ImageHeader header)
    {
        ImageResult? image;
        try
        {
            image = ImageResult.FromMemory(data, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(path, $"the {header.Format} image is corrupt and cannot be decoded ({Reason(data)}).");
        }

        if (image is null || image.Data is null || image.Width != header.Width || image.Height != header.Height
            || image.Data.Length < 3L * image.Width * image.Height)
        {
            throw new DataFormatException(path, $"the {header.Format} image decodes to something other than its header's {header} pixels.");
        }

        return image;
    }

    /// <summary>
    /// The decoder's reason for a failure. StbImageSharp keeps it in one global, so it is re-derived under a lock to
    /// keep another thread's failure from being reported.
    /// </summary>
    private static string Reason(byte[] data)
    {
        lock (FailureGate)
        {
            try
            {
                ImageResult.FromMemory(data, ColorComponents.RedGreenBlue);
                return "decoder error";
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string reason = e.Message.Trim();
                return reason.Length > 0 ? $"decoder: {reason}" : "decoder error";
            }
        }
    }
}
