using System.Text.Json;
using System.Text.Json.Serialization;

namespace IstaNas.Architecture;

/// <summary>Lets System.Text.Json read and write a <see cref="Genotype"/> (nested in other objects) in its own schema.</summary>
internal sealed class GenotypeJsonConverter : JsonConverter<Genotype>
{
    /// <inheritdoc />
    public override Genotype Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        try
        {
            return Genotype.FromJson(doc.RootElement.GetRawText());
        }
        catch (FormatException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Genotype value, JsonSerializerOptions options)
    {
        using JsonDocument doc = JsonDocument.Parse(value.ToJson());
        doc.RootElement.WriteTo(writer);
    }
}
