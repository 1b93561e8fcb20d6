using System.Text.Json;

namespace IstaNas.IO;

/// <summary>
/// Reading a small JSON document of the project (a genotype, an architecture) from text or from a file, with one error
/// type for text that is not one, <see cref="FormatException"/>, whose message says what the text is not and why
/// (and, for a file, names it).
/// </summary>
internal static class JsonText
{
    /// <summary>Deserializes <paramref name="json"/>; text that is not JSON of <typeparamref name="T"/>'s shape is refused.</summary>
    /// <param name="json">The text.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="notA">The start of the message, e.g. <c>Not an architecture</c>.</param>
    /// <returns>What was read (null for the JSON <c>null</c>).</returns>
    /// <exception cref="FormatException">"<paramref name="notA"/>: " and the serializer's reason.</exception>
    public static T? Deserialize<T>(string json, JsonSerializerOptions options, string notA)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<T>(json, options);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{notA}: {ex.Message}", ex);
        }
    }

    /// <summary>Builds the value a document describes; a value its constructor refuses makes the document invalid.</summary>
    /// <param name="build">The construction (its <see cref="ArgumentException"/> says what is wrong).</param>
    /// <param name="invalid">The start of the message, e.g. <c>Invalid genotype</c>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">"<paramref name="invalid"/>: " and the constructor's reason.</exception>
    public static T Build<T>(Func<T> build, string invalid)
    {
        try
        {
            return build();
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"{invalid}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a file and parses its text.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What it holds, for the message when it is missing (e.g. <c>Genotype</c>).</param>
    /// <param name="parse">The text's parser (its <see cref="FormatException"/> says what is wrong).</param>
    /// <returns>The value.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">"'<paramref name="path"/>': " and the parser's reason.</exception>
    public static T Load<T>(string path, string kind, Func<string, T> parse)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{kind} file '{path}' does not exist.", path);
        try
        {
            return parse(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"'{path}': {ex.Message}", ex);
        }
    }
}
