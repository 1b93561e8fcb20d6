using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Checks that every key under the IstaNas configuration section names a section (<c>TwoStage</c>, ...) and a property of
/// its options class: the configuration binder ignores a key it does not know, so a typo (<c>TwoStage:Epoch</c>, a misspelt
/// section) would start the host with the defaults. An unknown key is an <see cref="InvalidOperationException"/> naming it.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>Throws when any key under <paramref name="configuration"/> is not a known section or a property of its options class.</summary>
    /// <param name="configuration">The IstaNas section.</param>
    /// <param name="sections">The known sections and their options classes.</param>
    public static void Check(IConfiguration configuration, IReadOnlyDictionary<string, Type> sections)
    {
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            Type? type = sections.FirstOrDefault(s => string.Equals(s.Key, child.Key, StringComparison.OrdinalIgnoreCase)).Value;
            if (type is null)
                throw Unknown(child, sections.Keys, "is not an IstaNas section; the sections are");
            CheckProperties(child, type);
        }
    }

    private static void CheckProperties(IConfigurationSection section, Type type)
    {
        PropertyInfo[] properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            PropertyInfo? p = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (p is null || !(p.CanWrite || IsNested(p.PropertyType)))
                throw Unknown(child, properties.Where(p => p.CanWrite || IsNested(p.PropertyType)).Select(p => p.Name), $"is not a setting of {type.Name}; its settings are");
            if (IsNested(p.PropertyType)) CheckProperties(child, p.PropertyType);
            else if (!typeof(IEnumerable).IsAssignableFrom(p.PropertyType) || p.PropertyType == typeof(string))
                if (child.GetChildren().FirstOrDefault() is IConfigurationSection extra)
                    throw new InvalidOperationException($"Configuration key '{extra.Path}' is not an IstaNas setting: {child.Path} is a single value.");
        }
    }

    /// <summary>A nested options object (bound key by key), not a value or a list.</summary>
    private static bool IsNested(Type t) => t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t);

    private static InvalidOperationException Unknown(IConfigurationSection key, IEnumerable<string> known, string what)
    {
        string[] names = [.. known];
        string? near = names.Where(n => Distance(n.ToUpperInvariant(), key.Key.ToUpperInvariant()) <= 2).OrderBy(n => Distance(n, key.Key)).FirstOrDefault();
        return new InvalidOperationException($"Configuration key '{key.Path}' {what} {string.Join(", ", names)}." +
                                             (near is null ? string.Empty : $" Did you mean '{near}'?"));
    }

    /// <summary>Levenshtein distance, for the suggestion.</summary>
    private static int Distance(string a, string b)
    {
        int[] previous = [.. Enumerable.Range(0, b.Length + 1)], current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
