using System.IO.Compression;

namespace IstaNas.Data;

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
    public static byte[] ReadAll(string path)
    {
        RequireFile(path);
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length == 0)
        {
            throw new DataFormatException(path, "the file is empty (0 bytes).");
        }

        if (raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B)
        {
            try
            {
                using var input = new MemoryStream(raw);
                using var gzip = new GZipStream(input, CompressionMode.Decompress);
                using var output = new MemoryStream();
                gzip.CopyTo(output);
                raw = output.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(path, $"the file starts with the gzip signature but is not valid gzip data ({e.Message}).");
            }

            if (raw.Length == 0)
            {
                throw new DataFormatException(path, "the gzip stream decompresses to 0 bytes.");
            }
        }

        return raw;
    }

    /// <summary>The first of <paramref name="names"/> that exists as a file in <paramref name="directory"/>, or null.</summary>
    public static string? FirstExisting(string directory, params string[] names)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return names.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
    }
}
