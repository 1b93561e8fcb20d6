using System.Text.Json;

namespace IstaNas.Checkpoints;

/// <summary>
/// Layout of a checkpoint file (all integers little-endian):
/// <code>
/// magic      8 bytes  "ISTANAS" 0x1A
/// version    uint32   1
/// metadata   int32 length, UTF-8 JSON, 32-byte SHA-256 of the JSON
/// sections   int32 count, then per section: name (7-bit-length-prefixed UTF-8), int64 length,
///            32-byte SHA-256 of the data, the data
/// trailer    8 bytes "CKPT-END", 32-byte SHA-256 of every byte before the trailer
/// </code>
/// </summary>
internal static class CheckpointFormat
{
    public const int Version = 1;

    public const int HashSize = 32;

    public static ReadOnlySpan<byte> Magic => "ISTANAS\x1A"u8;

    public static ReadOnlySpan<byte> EndMarker => "CKPT-END"u8;

    /// <summary>JSON settings of metadata, history and values: the library's one JSON style (camelCase, enums as strings, NaN as null).</summary>
    public static JsonSerializerOptions Json => IO.JsonFormat.Compact;

    /// <summary>The metadata document as stored.</summary>
    internal sealed class MetadataDocument
    {
        public string? Kind { get; set; }

        public List<KeyValuePair<string, string>>? Fingerprint { get; set; }

        public int Epoch { get; set; }

        public int Step { get; set; }

        public DateTimeOffset CreatedUtc { get; set; }

        public JsonElement History { get; set; }

        public Dictionary<string, JsonElement>? Values { get; set; }
    }
}
