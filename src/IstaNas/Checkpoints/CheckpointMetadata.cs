using System.Text.Json;

namespace IstaNas.Checkpoints;

/// <summary>The JSON metadata document of a checkpoint: what kind of run, its fingerprint, position, history and named values.</summary>
internal sealed class CheckpointMetadata
{
    /// <summary>Creates metadata (used by <see cref="Checkpoint.Load"/>).</summary>
    /// <param name="kind">Kind of run, such as "evaluation", "two-stage" or "one-stage".</param>
    /// <param name="fingerprint">The run's shape.</param>
    /// <param name="epoch">Completed epochs (0-based index of the next epoch to run).</param>
    /// <param name="step">Completed steps of epoch <paramref name="epoch"/> (0 at an epoch boundary).</param>
    /// <param name="createdUtc">When the checkpoint was written.</param>
    /// <param name="history">The run's history so far, a JSON array.</param>
    /// <param name="values">Arbitrary named JSON values.</param>
    public CheckpointMetadata(string kind, CheckpointFingerprint fingerprint, int epoch, int step, DateTimeOffset createdUtc,
        JsonElement history, IReadOnlyDictionary<string, JsonElement> values)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(values);
        Kind = kind;
        Fingerprint = fingerprint;
        Epoch = epoch;
        Step = step;
        CreatedUtc = createdUtc;
        History = history;
        Values = values;
    }

    /// <summary>Kind of run, such as "evaluation", "two-stage" or "one-stage".</summary>
    public string Kind { get; }

    /// <summary>The run's shape.</summary>
    public CheckpointFingerprint Fingerprint { get; }

    /// <summary>Completed epochs: the 0-based index of the epoch to run next.</summary>
    public int Epoch { get; }

    /// <summary>Completed steps of epoch <see cref="Epoch"/> (0 when the checkpoint is at an epoch boundary).</summary>
    public int Step { get; }

    /// <summary>When the checkpoint was written (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; }

    /// <summary>The run's history so far (a JSON array; empty when none was written).</summary>
    public JsonElement History { get; }

    /// <summary>Arbitrary named JSON values.</summary>
    public IReadOnlyDictionary<string, JsonElement> Values { get; }

    /// <summary>Deserialises the history as a list of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The entry type written with <see cref="CheckpointWriter.SetHistory{T}"/>.</typeparam>
    /// <returns>The entries.</returns>
    /// <exception cref="JsonException">The history does not have that shape.</exception>
    public IReadOnlyList<T> GetHistory<T>() =>
        History.ValueKind == JsonValueKind.Array ? History.Deserialize<List<T>>(CheckpointFormat.Json) ?? [] : [];

    /// <summary>Deserialises a named value.</summary>
    /// <typeparam name="T">The type written with <see cref="CheckpointWriter.SetValue{T}"/>.</typeparam>
    /// <param name="name">The value's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">There is no value of that name.</exception>
    public T GetValue<T>(string name) => TryGetValue(name, out T? value)
        ? value!
        : throw new KeyNotFoundException($"The checkpoint has no value '{name}'; it has: {string.Join(", ", Values.Keys)}.");

    /// <summary>Deserialises a named value if present.</summary>
    /// <typeparam name="T">The type written with <see cref="CheckpointWriter.SetValue{T}"/>.</typeparam>
    /// <param name="name">The value's name.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>Whether the value exists.</returns>
    public bool TryGetValue<T>(string name, out T? value)
    {
        if (Values.TryGetValue(name, out JsonElement element))
        {
            value = element.Deserialize<T>(CheckpointFormat.Json);
            return true;
        }

        value = default;
        return false;
    }
}
