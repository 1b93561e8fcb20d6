using System.Globalization;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// A NAS-Bench-201 table read from a CSV file the user gives: a header row naming at least <c>arch_str</c>,
/// <c>valid-accuracy</c> and <c>test-accuracy</c> (and optionally <c>valid-loss</c>, <c>test-loss</c>), one row per
/// cell. Lookups are by the exact cell, as the benchmark's (no reduction of isomorphic cells).
/// </summary>
public sealed class Nb201Table
{
    private readonly Dictionary<Nb201Architecture, Nb201Record> _records;

    private Nb201Table(string path, Dictionary<Nb201Architecture, Nb201Record> records)
    {
        Path = path;
        _records = records;
    }

    /// <summary>The file the table was read from.</summary>
    public string Path { get; }

    /// <summary>The number of cells in the table.</summary>
    public int Count => _records.Count;

    /// <summary>Every row, in file order.</summary>
    public IEnumerable<Nb201Record> Records => _records.Values;

    /// <summary>Reads a table.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>The table.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A required column is missing, a row is malformed, or a cell appears twice; the message names the file and line.</exception>
    public static Nb201Table Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"The NAS-Bench-201 table '{full}' does not exist.", full);
        using var reader = new StreamReader(full);
        string? header = reader.ReadLine();
        if (header is null) throw new FormatException($"The NAS-Bench-201 table '{full}' is empty; it needs a header row.");
        List<string> columns = Nb201Csv.Split(header, full, 1);
        int arch = Column(columns, "arch_str", full, required: true);
        int valid = Column(columns, "valid-accuracy", full, required: true);
        int test = Column(columns, "test-accuracy", full, required: true);
        int validLoss = Column(columns, "valid-loss", full, required: false);
        int testLoss = Column(columns, "test-loss", full, required: false);
        var records = new Dictionary<Nb201Architecture, Nb201Record>();
        int line = 1;
        for (string? row = reader.ReadLine(); row is not null; row = reader.ReadLine())
        {
            line++;
            if (row.Length == 0) continue;
            List<string> fields = Nb201Csv.Split(row, full, line);
            if (fields.Count != columns.Count)
                throw new FormatException($"{full}:{line}: the row has {fields.Count} fields; the header has {columns.Count}.");
            Nb201Architecture cell;
            try
            {
                cell = Nb201Architecture.Parse(fields[arch]);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{full}:{line}: {e.Message}", e);
            }

            var record = new Nb201Record(cell, Number(fields[valid], "valid-accuracy", full, line), Number(fields[test], "test-accuracy", full, line),
                validLoss < 0 ? null : Number(fields[validLoss], "valid-loss", full, line), testLoss < 0 ? null : Number(fields[testLoss], "test-loss", full, line));
            if (!records.TryAdd(cell, record))
                throw new FormatException($"{full}:{line}: the cell {cell} appears a second time.");
        }

        if (records.Count == 0) throw new FormatException($"The NAS-Bench-201 table '{full}' has a header but no rows.");
        return new Nb201Table(full, records);
    }

    /// <summary>The row of a cell.</summary>
    /// <param name="architecture">The cell.</param>
    /// <returns>Its row.</returns>
    /// <exception cref="KeyNotFoundException">The table has no such cell; the message names the cell and the file.</exception>
    public Nb201Record Lookup(Nb201Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return _records.TryGetValue(architecture, out Nb201Record? record)
            ? record
            : throw new KeyNotFoundException($"The cell {architecture} is not in the NAS-Bench-201 table '{Path}' ({Count} cells).");
    }

    /// <summary>The row of a cell given as the benchmark's string.</summary>
    /// <param name="architecture">E.g. <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|...|</c>.</param>
    /// <returns>Its row.</returns>
    /// <exception cref="FormatException">The string is not a NAS-Bench-201 cell.</exception>
    /// <exception cref="KeyNotFoundException">The table has no such cell.</exception>
    public Nb201Record Lookup(string architecture) => Lookup(Nb201Architecture.Parse(architecture));

    /// <summary>Looks a cell up without throwing.</summary>
    /// <param name="architecture">The cell.</param>
    /// <param name="record">Its row, or null.</param>
    /// <returns>Whether the table has the cell.</returns>
    public bool TryLookup(Nb201Architecture architecture, out Nb201Record? record)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return _records.TryGetValue(architecture, out record);
    }

    private static int Column(List<string> columns, string name, string file, bool required)
    {
        int index = columns.IndexOf(name);
        if (index < 0 && required)
            throw new FormatException($"The NAS-Bench-201 table '{file}' has no column '{name}' in its header (it has: {string.Join(", ", columns)}).");
        return index;
    }

    private static double Number(string field, string column, string file, int line) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"{file}:{line}: {column} is '{field}', not a finite number.");
}
