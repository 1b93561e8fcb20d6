using System.Buffers.Binary;
using System.Text.Json;
using IstaNas.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>
/// Writes tensors in the safetensors format (what <c>safetensors.torch.save_file</c> writes and
/// <c>safetensors.torch.load_file</c> reads): an 8-byte little-endian header length, a JSON header
/// <c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c> padded with spaces to
/// a multiple of 8 bytes, then each tensor's elements, C order, little-endian, back to back in header order.
/// </summary>
internal static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (copied to the CPU, C order) and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a name is empty or "__metadata__".</exception>
    /// <exception cref="NotSupportedException">A tensor has an element type safetensors has no name for here.</exception>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new NotSupportedException("Writing safetensors needs a little-endian machine.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, value) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == "__metadata__" || !names.Add(name))
                {
                    throw new ArgumentException($"The tensor name '{name}' is empty, reserved or repeated.", nameof(tensors));
                }

                long bytes = value.NumberOfElements * value.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", DType(value.dtype, name));
                json.WriteStartArray("shape");
                foreach (long d in value.shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        byte[] header = buffer.ToArray();
        int padded = (header.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(header);
            for (int i = header.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var (_, value) in tensors)
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                stream.Write(value.detach().cpu().contiguous().bytes);
            }
        });
    }

    /// <summary>The safetensors name of an element type.</summary>
    internal static string DType(ScalarType type, string name) => type switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"The tensor '{name}' has element type {type}, which safetensors has no name for here."),
    };
}
