using System.Globalization;
using System.Text.Json;
using IstaNas.Data;

namespace IstaNas.Spaces.Macro;

/// <summary>
/// The NAS-Bench-Macro table read from the file a user gives (the benchmark's <c>nas-bench-macro_cifar10.json</c>:
/// <c>{"22212220": {"test_acc": [..], "mean_acc": .., "std": .., "params": .., "flops": ..}, ...}</c>): architecture to
/// test accuracy, parameters and FLOPs. The library ships no table.
/// </summary>
public sealed class MacroTable
{
    private readonly Dictionary<string, MacroTableEntry> _entries;

    private MacroTable(string path, Dictionary<string, MacroTableEntry> entries)
    {
        Path = path;
        _entries = entries;
    }

    /// <summary>The file the table was read from.</summary>
    public string Path { get; }

    /// <summary>The number of architectures in the table (6,561 in the benchmark's).</summary>
    public int Count => _entries.Count;

    /// <summary>Every row, in no particular order.</summary>
    public IReadOnlyCollection<MacroTableEntry> Entries => _entries.Values;

    /// <summary>Reads a table.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The table.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="DataFormatException">The file is not JSON of the table's form (the message names the file, the architecture and the field).</exception>
    public static MacroTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The NAS-Bench-Macro table '{path}' does not exist (give the path of nas-bench-macro_cifar10.json).", path);
        JsonDocument document;
        try
        {
            using FileStream stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, $"not JSON ({ex.Message}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(path, $"the top level is a JSON {document.RootElement.ValueKind}, not an object of architectures.");
            var entries = new Dictionary<string, MacroTableEntry>(StringComparer.Ordinal);
            foreach (JsonProperty row in document.RootElement.EnumerateObject())
            {
                try
                {
                    MacroSpace.Parse(row.Name, "architecture");
                }
                catch (ArgumentException)
                {
                    throw new DataFormatException(path, $"the key '{row.Name}' is not an architecture (8 characters of 0, 1, 2).");
                }

                if (!entries.TryAdd(row.Name, Entry(path, row)))
                    throw new DataFormatException(path, $"architecture '{row.Name}' appears twice.");
            }

            if (entries.Count == 0) throw new DataFormatException(path, "the table has no architectures.");
            return new MacroTable(path, entries);
        }
    }

    /// <summary>The row of one architecture.</summary>
    /// <param name="architecture">8 characters of 0, 1, 2.</param>
    /// <returns>Its accuracies, parameters and FLOPs.</returns>
    /// <exception cref="ArgumentException">The architecture is not 8 characters of 0, 1, 2.</exception>
    /// <exception cref="KeyNotFoundException">The table has no row for it.</exception>
    public MacroTableEntry Lookup(string architecture)
    {
        MacroSpace.Parse(architecture, nameof(architecture));
        return _entries.TryGetValue(architecture, out MacroTableEntry? entry)
            ? entry
            : throw new KeyNotFoundException($"The NAS-Bench-Macro table '{Path}' has no architecture '{architecture}' ({Count} architectures).");
    }

    private static MacroTableEntry Entry(string path, JsonProperty row)
    {
        JsonElement value = row.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, $"architecture '{row.Name}' has a JSON {value.ValueKind}, not an object.");
        JsonElement runs = Field(path, row, "test_acc", JsonValueKind.Array);
        if (runs.GetArrayLength() == 0) throw new DataFormatException(path, $"architecture '{row.Name}' has an empty \"test_acc\".");
        double[] accuracies = [.. runs.EnumerateArray().Select(a => Number(path, row, "test_acc", a))];
        double? std = value.TryGetProperty("std", out JsonElement s) && s.ValueKind != JsonValueKind.Null ? Number(path, row, "std", s) : null;
        return new MacroTableEntry(
            row.Name, accuracies, Number(path, row, "mean_acc", Field(path, row, "mean_acc", JsonValueKind.Number)), std,
            Integer(path, row, "params"), Integer(path, row, "flops"));
    }

    private static JsonElement Field(string path, JsonProperty row, string name, JsonValueKind kind)
    {
        if (!row.Value.TryGetProperty(name, out JsonElement field))
            throw new DataFormatException(path, $"architecture '{row.Name}' has no \"{name}\".");
        if (field.ValueKind != kind)
            throw new DataFormatException(path, $"architecture '{row.Name}': \"{name}\" is a JSON {field.ValueKind}, expected {kind}.");
        return field;
    }

    private static double Number(string path, JsonProperty row, string name, JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double d) && double.IsFinite(d)
            ? d
            : throw new DataFormatException(path, $"architecture '{row.Name}': \"{name}\" holds {element.GetRawText()}, not a finite number.");

    private static long Integer(string path, JsonProperty row, string name)
    {
        JsonElement element = Field(path, row, name, JsonValueKind.Number);
        return element.TryGetInt64(out long n) && n >= 0
            ? n
            : throw new DataFormatException(path, string.Create(CultureInfo.InvariantCulture, $"architecture '{row.Name}': \"{name}\" is {element.GetRawText()}, not a non-negative integer."));
    }
}
