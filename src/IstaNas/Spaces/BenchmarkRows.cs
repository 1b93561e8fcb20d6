namespace IstaNas.Spaces;

/// <summary>
/// The rows of a benchmark table keyed by architecture, in the order they were read: an architecture twice and a
/// table without rows are refused (<see cref="Data.DataFormatException"/> naming the file), and a lookup of an
/// architecture the table lacks names the architecture and the file.
/// </summary>
/// <typeparam name="TKey">The architecture.</typeparam>
/// <typeparam name="TRow">Its row.</typeparam>
internal sealed class BenchmarkRows<TKey, TRow>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TRow> _rows;
    private readonly string _benchmark;

    /// <summary>An empty table of <paramref name="path"/>.</summary>
    /// <param name="benchmark">The benchmark's name, for messages.</param>
    /// <param name="path">The table's file.</param>
    /// <param name="comparer">How architectures compare, or null for the default.</param>
    public BenchmarkRows(string benchmark, string path, IEqualityComparer<TKey>? comparer = null)
    {
        _benchmark = benchmark;
        Path = path;
        _rows = new Dictionary<TKey, TRow>(comparer);
    }

    /// <summary>The file the table was read from.</summary>
    public string Path { get; }

    /// <summary>The number of architectures.</summary>
    public int Count => _rows.Count;

    /// <summary>Every row, in the order read.</summary>
    public IReadOnlyCollection<TRow> Rows => _rows.Values;

    /// <summary>Adds the row of an architecture.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <param name="row">Its row.</param>
    /// <param name="where">Where it is in the file (e.g. <c>line 5</c>), or null.</param>
    /// <exception cref="Data.DataFormatException">The architecture has a row already.</exception>
    public void Add(TKey architecture, TRow row, string? where = null)
    {
        if (!_rows.TryAdd(architecture, row))
            throw BenchmarkTable.Error(Path, $"{BenchmarkTable.Row(architecture.ToString()!, where)} appears twice.");
    }

    /// <summary>The table, once every row is read.</summary>
    /// <returns>This.</returns>
    /// <exception cref="Data.DataFormatException">The table has no rows.</exception>
    public BenchmarkRows<TKey, TRow> Complete() => _rows.Count > 0 ? this : throw BenchmarkTable.Error(Path, "the table has no architectures.");

    /// <summary>The row of an architecture.</summary>
    /// <exception cref="KeyNotFoundException">The table has no row for it (the message names it and the file).</exception>
    public TRow Lookup(TKey architecture) =>
        _rows.TryGetValue(architecture, out TRow? row)
            ? row
            : throw new KeyNotFoundException($"The {_benchmark} table '{Path}' has no architecture '{architecture}' ({Count} architectures).");

    /// <summary>The row of an architecture, without throwing.</summary>
    public bool TryLookup(TKey architecture, out TRow? row) => _rows.TryGetValue(architecture, out row);
}
