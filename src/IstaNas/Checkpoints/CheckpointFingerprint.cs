using System.Globalization;

namespace IstaNas.Checkpoints;

/// <summary>
/// Describes the shape of a run (network options, genotype, data set name and size, seed, schedule ...) as ordered
/// key/value pairs, so that a checkpoint is only resumed by a run of the same shape and a mismatch can say which
/// part differs. Immutable; <see cref="With"/> returns a new instance.
/// </summary>
internal sealed class CheckpointFingerprint : IEquatable<CheckpointFingerprint>
{
    private readonly KeyValuePair<string, string>[] _parts;

    /// <summary>Creates a fingerprint from key/value pairs (keys unique, in the given order).</summary>
    /// <param name="parts">The pairs.</param>
    /// <exception cref="ArgumentException">A key is empty or repeated.</exception>
    public CheckpointFingerprint(IEnumerable<KeyValuePair<string, string>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = parts.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in _parts)
        {
            if (string.IsNullOrWhiteSpace(key))
                throw new ArgumentException("A fingerprint key must not be empty.", nameof(parts));
            if (!seen.Add(key))
                throw new ArgumentException($"The fingerprint key '{key}' appears twice.", nameof(parts));
        }
    }

    /// <summary>An empty fingerprint, to extend with <see cref="With"/>.</summary>
    public static CheckpointFingerprint Empty { get; } = new([]);

    /// <summary>The pairs, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parts => _parts;

    /// <summary>A fingerprint with one more pair; the value is formatted with the invariant culture ("R" for doubles).</summary>
    /// <param name="key">The key, such as "network.channels".</param>
    /// <param name="value">The value; null is written as an empty string.</param>
    /// <returns>The new fingerprint.</returns>
    public CheckpointFingerprint With(string key, object? value) =>
        new(_parts.Append(new KeyValuePair<string, string>(key, Format(value))));

    /// <summary>The value of a key, or null.</summary>
    public string? this[string key] => _parts.FirstOrDefault(p => p.Key == key).Value;

    /// <summary>
    /// The differences from <paramref name="expected"/>, one readable line per differing key
    /// (<c>key: checkpoint 'a', expected 'b'</c>); empty when the fingerprints are equal.
    /// </summary>
    /// <param name="expected">The fingerprint of the run that wants to use this one.</param>
    /// <returns>The differences.</returns>
    public IReadOnlyList<string> Differences(CheckpointFingerprint expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var result = new List<string>();
        var mine = _parts.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var theirs = expected._parts.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var (key, value) in expected._parts)
        {
            if (!mine.TryGetValue(key, out string? have))
                result.Add($"{key}: missing in the checkpoint, expected '{value}'");
            else if (have != value)
                result.Add($"{key}: checkpoint '{have}', expected '{value}'");
        }

        foreach (var (key, value) in _parts)
        {
            if (!theirs.ContainsKey(key))
                result.Add($"{key}: checkpoint '{value}', not part of the expected fingerprint");
        }

        return result;
    }

    /// <inheritdoc />
    public bool Equals(CheckpointFingerprint? other) => other is not null && Differences(other).Count == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CheckpointFingerprint);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var (key, value) in _parts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            h.Add(key);
            h.Add(value);
        }

        return h.ToHashCode();
    }

    /// <summary>The pairs as <c>key=value; key=value</c>.</summary>
    public override string ToString() => string.Join("; ", _parts.Select(p => $"{p.Key}={p.Value}"));

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
