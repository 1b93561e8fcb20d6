using System.Text.Json;
using System.Text.Json.Serialization;

namespace IstaNas.IO;

/// <summary>
/// The one JSON style of every file a run writes (results, history, search space, checkpoint metadata) and of the
/// CLI's <c>--json</c> events: camelCase names, enums as camelCase strings, NaN and infinities as null,
/// <see cref="TimeSpan"/> as seconds. Use it to read the files back, or to write your own in the same style.
/// Documented in docs/output-files.md.
/// </summary>
public static class JsonFormat
{
    /// <summary>Indented, for files (read-only options).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>One line, for checkpoints and events (read-only options).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new FiniteOrNullConverter());
        options.Converters.Add(new SecondsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Doubles: NaN and infinities are written as null and read back as NaN.</summary>
    private sealed class FiniteOrNullConverter : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    /// <summary>Durations as a number of seconds.</summary>
    private sealed class SecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromSeconds(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round(value.TotalSeconds, 6));
    }
}
