using System.Globalization;
using IstaNas.Data;

namespace IstaNas.Spaces;

/// <summary>
/// What the benchmark tables (<see cref="Macro.MacroTable"/>, <see cref="Nb201.Nb201Table"/>) share when they read a
/// file a user gives: the missing file, and one exception type for a malformed table, <see cref="DataFormatException"/>,
/// whose message names the file and, for a bad row, where it is, its architecture and the field.
/// </summary>
internal static class BenchmarkTable
{
    /// <summary>Refuses a blank path or a file that does not exist.</summary>
    /// <param name="path">The table's file.</param>
    /// <param name="benchmark">The benchmark's name, for the message.</param>
    /// <param name="hint">Appended to the message (e.g. which file to give), or empty.</param>
    /// <exception cref="ArgumentException">The path is blank.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static void RequireFile(string path, string benchmark, string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The {benchmark} table '{path}' does not exist{hint}.", path);
    }

    /// <summary>A malformed table.</summary>
    public static DataFormatException Error(string path, string problem) => new(path, problem);

    /// <summary>A bad field in the row of an architecture: "{row}: "{field}" {problem}".</summary>
    /// <param name="path">The table's file.</param>
    /// <param name="row">Which row: <c>architecture '...'</c>, after the line where the file has lines.</param>
    /// <param name="field">The field's name in the file.</param>
    /// <param name="problem">What is wrong with it.</param>
    public static DataFormatException FieldError(string path, string row, string field, string problem) =>
        new(path, $"{row}: \"{field}\" {problem}");

    /// <summary>The row's name in messages: <c>architecture '...'</c>, after <paramref name="where"/> if given.</summary>
    public static string Row(string architecture, string? where = null) =>
        where is null ? $"architecture '{architecture}'" : $"{where}, architecture '{architecture}'";

    /// <summary>A field that must hold a finite number.</summary>
    /// <param name="path">The table's file.</param>
    /// <param name="row">Which row (see <see cref="Row"/>).</param>
    /// <param name="field">The field's name.</param>
    /// <param name="value">The value read, or null if it is not a number.</param>
    /// <param name="text">The field as written, for the message.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DataFormatException">The value is not a finite number.</exception>
    public static double Finite(string path, string row, string field, double? value, string text) =>
        value is double d && double.IsFinite(d) ? d : throw FieldError(path, row, field, $"holds {text}, not a finite number.");

    /// <summary>A field that must hold a non-negative integer.</summary>
    /// <exception cref="DataFormatException">The value is not one.</exception>
    public static long Count(string path, string row, string field, long? value, string text) =>
        value is long n && n >= 0 ? n : throw FieldError(path, row, field, string.Create(CultureInfo.InvariantCulture, $"is {text}, not a non-negative integer."));
}
