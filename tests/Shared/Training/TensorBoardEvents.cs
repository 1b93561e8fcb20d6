using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace IstaNas.Tests.Training;

/// <summary>One value of a summary: a scalar (<c>simple_value</c>) or a text (a string tensor).</summary>
internal sealed record TensorBoardValue(string Tag, float? Scalar, string? Text);

/// <summary>One tensorflow <c>Event</c>: wall time, step, and either the file version or a summary.</summary>
internal sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<TensorBoardValue> Values);

/// <summary>
/// Reads TensorBoard event files independently of the writer: TFRecord framing (uint64 length, masked CRC32C of the
/// length, the data, masked CRC32C of the data; every CRC checked) around tensorflow <c>Event</c> protobufs, parsed
/// field by field with <see cref="CodedInputStream"/>.
/// </summary>
internal static class TensorBoardEvents
{
    /// <summary>The event files of a directory (not of its subdirectories).</summary>
    public static string[] Files(string directory) => Directory.GetFiles(directory, "events.out.tfevents.*").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every event of every file of the directory, file by file in name order.</summary>
    public static List<TensorBoardEvent> ReadDirectory(string directory) => Files(directory).SelectMany(Read).ToList();

    /// <summary>The scalars of the events: (tag, step, value) in file order.</summary>
    public static List<(string Tag, long Step, float Value)> Scalars(IEnumerable<TensorBoardEvent> events) =>
        events.SelectMany(e => e.Values.Where(v => v.Scalar.HasValue).Select(v => (v.Tag, e.Step, v.Scalar!.Value))).ToList();

    /// <summary>Tag → value of the scalars written at one step; fails if a tag was written twice at that step.</summary>
    public static Dictionary<string, float> At(IEnumerable<(string Tag, long Step, float Value)> scalars, long step) =>
        scalars.Where(s => s.Step == step).ToDictionary(s => s.Tag, s => s.Value);

    /// <summary>The texts of the events: (tag, step, text) in file order.</summary>
    public static List<(string Tag, long Step, string Text)> Texts(IEnumerable<TensorBoardEvent> events) =>
        events.SelectMany(e => e.Values.Where(v => v.Text is not null).Select(v => (v.Tag, e.Step, v.Text!))).ToList();

    /// <summary>Reads one event file; fails on a torn record or a wrong CRC.</summary>
    public static List<TensorBoardEvent> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var events = new List<TensorBoardEvent>();
        int offset = 0;
        while (offset < file.Length)
        {
            Assert.True(file.Length - offset >= 12, $"{path}: a torn record header at byte {offset}");
            ReadOnlySpan<byte> lengthBytes = file.AsSpan(offset, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8, 4));
            Assert.True(MaskedCrc32C(lengthBytes) == lengthCrc, $"{path}: wrong length CRC at byte {offset}");
            Assert.True((ulong)(file.Length - offset - 16) >= length, $"{path}: a torn record at byte {offset}");
            ReadOnlySpan<byte> data = file.AsSpan(offset + 12, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 12 + (int)length, 4));
            Assert.True(MaskedCrc32C(data) == dataCrc, $"{path}: wrong data CRC at byte {offset}");
            events.Add(ParseEvent(data.ToArray()));
            offset += 16 + (int)length;
        }

        return events;
    }

    /// <summary>CRC32C (Castagnoli), masked as TFRecord does: ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }

        crc ^= 0xFFFFFFFFu;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    // Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; ...; Summary summary = 5; ... } }
    private static TensorBoardEvent ParseEvent(byte[] data)
    {
        var input = new CodedInputStream(data);
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<TensorBoardValue>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: wallTime = input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: version = input.ReadString(); break;
                case 5: values.AddRange(ParseSummary(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        }

        return new TensorBoardEvent(wallTime, step, version, values);
    }

    // Summary { repeated Value value = 1; }
    private static IEnumerable<TensorBoardValue> ParseSummary(ByteString summary)
    {
        var input = summary.CreateCodedInput();
        var values = new List<TensorBoardValue>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
                values.Add(ParseValue(input.ReadBytes()));
            else
                input.SkipLastField();
        }

        return values;
    }

    // Value { string tag = 1; oneof value { float simple_value = 2; ...; TensorProto tensor = 8; } SummaryMetadata metadata = 9; }
    private static TensorBoardValue ParseValue(ByteString value)
    {
        var input = value.CreateCodedInput();
        string tagName = string.Empty;
        float? scalar = null;
        string? text = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: tagName = input.ReadString(); break;
                case 2: scalar = input.ReadFloat(); break;
                case 8: text = ParseStringTensor(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }

        return new TensorBoardValue(tagName, scalar, text);
    }

    // TensorProto { DataType dtype = 1; ...; repeated bytes string_val = 8; }: the strings joined by new lines.
    private static string ParseStringTensor(ByteString tensor)
    {
        var input = tensor.CreateCodedInput();
        var strings = new List<string>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 8)
                strings.Add(Encoding.UTF8.GetString(input.ReadBytes().Span));
            else
                input.SkipLastField();
        }

        return string.Join("\n", strings);
    }
}
