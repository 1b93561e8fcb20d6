using System.Globalization;
using IstaNas.Data;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// A NAS-Bench-201 table read from a CSV file the user gives: a header row naming at least <c>arch_str</c>,
/// <c>valid-accuracy</c> and <c>test-accuracy</c> (and optionally <c>valid-loss</c>, <c>test-loss</c>), one row per
/// cell. Lookups are by the exact cell, as the benchmark's (no reduction of isomorphic cells).
/// </summary>
public sealed class Nb201Table
{
    private const string Benchmark = "NAS-Bench-201";
    private readonly BenchmarkRows<Nb201Architecture, Nb201Record> _records;

    private Nb201Table(BenchmarkRows<Nb201Architecture, Nb201Record> records) => _records = records;

    /// <summary>The file the table was read from.</summary>
    public string Path => _records.Path;

    /// <summary>The number of cells in the table.</summary>
    public int Count => _records.Count;

    /// <summary>Every row, in file order.</summary>
    public IEnumerable<Nb201Record> Records => _records.Rows;

    /// <summary>Reads a table.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>The table.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A required column is missing, a row is malformed, or a cell appears twice; the message names the file, the line, the cell and the column.</exception>
    public static Nb201Table Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        BenchmarkTable.RequireFile(full, Benchmark, string.Empty);
        using var reader = new StreamReader(full);
        string? header = reader.ReadLine() ?? throw BenchmarkTable.Error(full, "the file is empty; it needs a header row.");
        List<string> columns = Nb201Csv.Split(header, full, 1);
        int arch = Column(columns, "arch_str", full, required: true);
        int valid = Column(columns, "valid-accuracy", full, required: true);
        int test = Column(columns, "test-accuracy", full, required: true);
        int validLoss = Column(columns, "valid-loss", full, required: false);
        int testLoss = Column(columns, "test-loss", full, required: false);
        var records = new BenchmarkRows<Nb201Architecture, Nb201Record>(Benchmark, full);
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (text.Length == 0) continue;
            List<string> fields = Nb201Csv.Split(text, full, line);
            string where = $"line {line}";
            if (fields.Count != columns.Count)
                throw BenchmarkTable.Error(full, $"{where}: the row has {fields.Count} fields; the header has {columns.Count}.");
            Nb201Architecture cell;
            try
            {
                cell = Nb201Architecture.Parse(fields[arch]);
            }
            catch (FormatException e)
            {
                throw BenchmarkTable.FieldError(full, where, "arch_str", e.Message);
            }

            string row = BenchmarkTable.Row(cell.ToString(), where);
            double Number(int column) => BenchmarkTable.Finite(full, row, columns[column], Parse(fields[column]), $"'{fields[column]}'");
            records.Add(cell, new Nb201Record(cell, Number(valid), Number(test), validLoss < 0 ? null : Number(validLoss), testLoss < 0 ? null : Number(testLoss)), where);
        }

        return new Nb201Table(records.Complete());
    }

    /// <summary>The row of a cell.</summary>
    /// <param name="architecture">The cell.</param>
    /// <returns>Its row.</returns>
    /// <exception cref="KeyNotFoundException">The table has no such cell; the message names the cell and the file.</exception>
    public Nb201Record Lookup(Nb201Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return _records.Lookup(architecture);
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
        return _records.TryLookup(architecture, out record);
    }

    private static int Column(List<string> columns, string name, string file, bool required)
    {
        int index = columns.IndexOf(name);
        if (index < 0 && required)
            throw BenchmarkTable.Error(file, $"the header has no column '{name}' (it has: {string.Join(", ", columns)}).");
        return index;
    }

    private static double? Parse(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
}
