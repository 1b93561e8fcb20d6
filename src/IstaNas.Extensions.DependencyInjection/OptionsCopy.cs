namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Copies bound options into the builder's own options objects, so that the builder never shares (or resets) them.</summary>
internal static class OptionsCopy
{
    /// <summary>Copies every settable property; string lists are copied, not shared.</summary>
    public static void Into<T>(T from, T to)
        where T : class
    {
        foreach (var p in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
        {
            object? value = p.GetValue(from);
            p.SetValue(to, value is IList<string> list ? list.ToList() : value);
        }
    }
}
