using System.Text.Json;
using System.Text.Json.Serialization;

namespace IstaNas.Validation;

/// <summary>
/// The one way IstaNas copies options: a round trip through JSON (every options class is plain public properties), so a
/// copy is deep (lists, dictionaries and nested options are new) and a new option is copied without anyone listing it.
/// NaN and the infinities are copied as they are (the files' JSON form writes them as null).
/// </summary>
internal static class OptionsCopy
{
    private static readonly JsonSerializerOptions Exact = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>A deep copy of <paramref name="options"/>, of its runtime type.</summary>
    /// <typeparam name="T">The options class (or a base class of it).</typeparam>
    /// <param name="options">The options to copy.</param>
    /// <returns>The copy.</returns>
    public static T Of<T>(T options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        Type type = options.GetType();
        return (T)JsonSerializer.SerializeToElement(options, type, Exact).Deserialize(type, Exact)!;
    }

    /// <summary>
    /// Sets every settable property of <paramref name="to"/> to the value of a deep copy of <paramref name="from"/>, for
    /// an options object that others hold (a builder's, or one passed to a <c>Configure</c> delegate).
    /// </summary>
    /// <typeparam name="T">The options class.</typeparam>
    /// <param name="from">The values.</param>
    /// <param name="to">The object that receives them.</param>
    public static void Into<T>(T from, T to)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(to);
        T copy = Of(from);
        foreach (var p in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
            p.SetValue(to, p.GetValue(copy));
    }
}
