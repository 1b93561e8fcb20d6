using System.IO.Compression;
using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>File-reading helpers shared by the readers: existence checks with clear exceptions, gzip detection.</summary>
internal static class DataFiles
{
    public static void RequireDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Data directory '{directory}' does not exist.");
        }
    }

    public static void RequireFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }
    }

    /// <summary>Reads a whole file, transparently gunzipping it when it starts with the gzip magic bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="headerLength">Bytes of the format's header, given to <paramref name="declaredLength"/>.</param>
    /// <param name="declaredLength">
    /// The payload bytes a header declares (-1 when the header is not valid: the caller's own check reports it), so that
    /// gzip data is never expanded past what the header promises; null caps it only at the largest array.
    /// </param>
    public static byte[] ReadAll(string path, int headerLength = 0, Func<byte[], long>? declaredLength = null)
    {
        RequireFile(path);
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length == 0)
        {
            throw new DataFormatException(path, "the file is empty (0 bytes).");
        }

        if (raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B)
        {
            raw = Gunzip(path, raw, headerLength, declaredLength);
            if (raw.Length == 0)
            {
                throw new DataFormatException(path, "the gzip stream decompresses to 0 bytes.");
            }
        }

        return raw;
    }

    /// <summary>Decompresses in chunks, stopping as soon as the output passes the header's declared size (or the largest array).</summary>
    private static byte[] Gunzip(string path, byte[] raw, int headerLength, Func<byte[], long>? declaredLength)
    {
        long limit = Array.MaxLength;
        bool declared = false, headerRead = declaredLength is null;
        try
        {
            using var input = new MemoryStream(raw);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] chunk = new byte[1 << 16];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (output.Length + read > limit)
                {
                    throw new DataFormatException(path, declared
                        ? $"the gzip data expands past the {limit} bytes its header declares; the file is not what its header says (or not this format)."
                        : $"the gzip data expands past {limit} bytes, more than can be loaded into memory.");
                }

                output.Write(chunk, 0, read);
                if (!headerRead && output.Length >= headerLength)
                {
                    headerRead = true;
                    long payload = declaredLength!(output.GetBuffer()[..headerLength]);
                    if (payload >= 0 && headerLength + payload < limit)
                    {
                        limit = headerLength + payload;
                        declared = true;
                        if (output.Length > limit)
                            throw new DataFormatException(path, $"the gzip data expands past the {limit} bytes its header declares; the file is not what its header says.");
                    }
                }
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"the file starts with the gzip signature but is not valid gzip data ({e.Message}).");
        }
    }

    /// <summary>The first of <paramref name="names"/> that exists as a file in <paramref name="directory"/>, or null.</summary>
    public static string? FirstExisting(string directory, params string[] names)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return names.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
    }
}
