using System.Text.Json;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Copies bound options into the builder's own options objects, so that the builder never shares (or resets) them.</summary>
internal static class OptionsCopy
{
    /// <summary>Copies every settable property of a deep copy of <paramref name="from"/> (nested options and lists are not shared).</summary>
    public static void Into<T>(T from, T to)
        where T : class
    {
        T copy = JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(from))!;
        foreach (var p in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
            p.SetValue(to, p.GetValue(copy));
    }
}
