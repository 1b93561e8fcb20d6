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
    private const string Benchmark = "NAS-Bench-Macro";
    private readonly BenchmarkRows<string, MacroTableEntry> _entries;

    private MacroTable(BenchmarkRows<string, MacroTableEntry> entries) => _entries = entries;

    /// <summary>The file the table was read from.</summary>
    public string Path => _entries.Path;

    /// <summary>The number of architectures in the table (6,561 in the benchmark's).</summary>
    public int Count => _entries.Count;

    /// <summary>Every row, in no particular order.</summary>
    public IReadOnlyCollection<MacroTableEntry> Entries => _entries.Rows;

    /// <summary>Reads a table.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The table.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="DataFormatException">The file is not JSON of the table's form (the message names the file, the architecture and the field).</exception>
    public static MacroTable Load(string path)
    {
        BenchmarkTable.RequireFile(path, Benchmark, " (give the path of nas-bench-macro_cifar10.json)");
        JsonDocument document;
        try
        {
            using FileStream stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw BenchmarkTable.Error(path, $"not JSON ({ex.Message}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw BenchmarkTable.Error(path, $"the top level is a JSON {document.RootElement.ValueKind}, not an object of architectures.");
            var entries = new BenchmarkRows<string, MacroTableEntry>(Benchmark, path, StringComparer.Ordinal);
            foreach (JsonProperty row in document.RootElement.EnumerateObject())
            {
                try
                {
                    MacroSpace.Parse(row.Name, "architecture");
                }
                catch (ArgumentException)
                {
                    throw BenchmarkTable.Error(path, $"the key '{row.Name}' is not an architecture (8 characters of 0, 1, 2).");
                }

                entries.Add(row.Name, Entry(path, row));
            }

            return new MacroTable(entries.Complete());
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
        return _entries.Lookup(architecture);
    }

    private static MacroTableEntry Entry(string path, JsonProperty row)
    {
        string name = BenchmarkTable.Row(row.Name);
        if (row.Value.ValueKind != JsonValueKind.Object)
            throw BenchmarkTable.Error(path, $"{name} has a JSON {row.Value.ValueKind}, not an object.");
        JsonElement runs = Field(path, row, "test_acc", JsonValueKind.Array);
        if (runs.GetArrayLength() == 0) throw BenchmarkTable.Error(path, $"{name} has an empty \"test_acc\".");
        double[] accuracies = [.. runs.EnumerateArray().Select(a => Number(path, name, "test_acc", a))];
        double? std = row.Value.TryGetProperty("std", out JsonElement s) && s.ValueKind != JsonValueKind.Null ? Number(path, name, "std", s) : null;
        return new MacroTableEntry(
            row.Name, accuracies, Number(path, name, "mean_acc", Field(path, row, "mean_acc", JsonValueKind.Number)), std,
            Integer(path, row, "params"), Integer(path, row, "flops"));
    }

    private static JsonElement Field(string path, JsonProperty row, string name, JsonValueKind kind)
    {
        if (!row.Value.TryGetProperty(name, out JsonElement field))
            throw BenchmarkTable.Error(path, $"{BenchmarkTable.Row(row.Name)} has no \"{name}\".");
        return field.ValueKind == kind
            ? field
            : throw BenchmarkTable.FieldError(path, BenchmarkTable.Row(row.Name), name, $"is a JSON {field.ValueKind}, expected {kind}.");
    }

    private static double Number(string path, string row, string name, JsonElement element) =>
        BenchmarkTable.Finite(path, row, name, element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double d) ? d : null, element.GetRawText());

    private static long Integer(string path, JsonProperty row, string name)
    {
        JsonElement element = Field(path, row, name, JsonValueKind.Number);
        return BenchmarkTable.Count(path, BenchmarkTable.Row(row.Name), name, element.TryGetInt64(out long n) ? n : null, element.GetRawText());
    }
}
