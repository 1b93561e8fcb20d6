using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace IstaNas.Tests.Evaluation;

/// <summary>
/// Reads a safetensors file as the format's specification describes it (8-byte little-endian header length, JSON header,
/// data), checking what a reader must: offsets in order, back to back, inside the file, and sized by dtype and shape.
/// </summary>
internal static class SafetensorsReader
{
    internal sealed record Entry(string Name, string DType, long[] Shape, byte[] Data);

    /// <summary>The header's metadata and its tensors, in header order.</summary>
    public static (Dictionary<string, string> Metadata, List<Entry> Tensors) Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength % 8 != 0 || 8 + headerLength > file.Length)
            throw new InvalidDataException($"header length {headerLength} is not a multiple of 8 or exceeds the file.");
        string json = Encoding.UTF8.GetString(file, 8, (int)headerLength);
        using var document = JsonDocument.Parse(json);
        var metadata = new Dictionary<string, string>();
        var tensors = new List<Entry>();
        long dataStart = 8 + headerLength, expected = 0;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (JsonProperty m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString()!;
                continue;
            }

            string dtype = property.Value.GetProperty("dtype").GetString()!;
            long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long size = shape.Aggregate(1L, (a, b) => a * b) * dtype switch { "F64" or "I64" => 8, "F32" or "I32" => 4, "F16" or "BF16" or "I16" => 2, _ => 1 };
            if (offsets.Length != 2 || offsets[0] != expected || offsets[1] - offsets[0] != size || dataStart + offsets[1] > file.Length)
                throw new InvalidDataException($"'{property.Name}' has offsets [{string.Join(", ", offsets)}]; expected [{expected}, {expected + size}] inside the file.");
            expected = offsets[1];
            tensors.Add(new Entry(property.Name, dtype, shape, file.AsSpan((int)(dataStart + offsets[0]), (int)size).ToArray()));
        }

        if (dataStart + expected != file.Length)
            throw new InvalidDataException($"the data ends at byte {dataStart + expected} but the file has {file.Length} bytes.");
        return (metadata, tensors);
    }
}
