using System.Globalization;

namespace IstaNas.Visualization.Plots;

/// <summary>The node keys of a history ("normal/0" .. "reduce/3") in picture order, and their picture names.</summary>
internal static class NodeKeys
{
    /// <summary>Distinct keys: normal before reduce, then by node index.</summary>
    public static string[] Ordered(IEnumerable<string> keys) =>
        keys.Distinct(StringComparer.Ordinal)
            .OrderBy(k => Cell(k) switch { "normal" => 0, "reduce" => 1, _ => 2 })
            .ThenBy(Cell, StringComparer.Ordinal)
            .ThenBy(k => Index(k) ?? int.MaxValue)
            .ThenBy(k => k, StringComparer.Ordinal)
            .ToArray();

    /// <summary>"normal/0" → "normal n0", the node name <c>Genotype.ToString()</c> uses.</summary>
    public static string Display(string key) => Index(key) is int i ? $"{Cell(key)} n{i}" : key;

    /// <summary>The cell part of a key.</summary>
    public static string Cell(string key) => key.Split('/')[0];

    /// <summary>The node index of a key, or null.</summary>
    public static int? Index(string key) =>
        int.TryParse(key.Split('/')[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;
}
