using System.Collections;
using IstaNas.Checkpoints;

namespace IstaNas.Training;

/// <summary>The options part of a checkpoint fingerprint: every option, nested ones by path, but those a continued run may change.</summary>
internal static class OptionsFingerprint
{
    /// <summary>The options a continued run may change: more epochs, another checkpoint folder.</summary>
    private static readonly HashSet<string> Changeable = [nameof(TrainingOptions.Epochs), nameof(TrainingOptions.CheckpointDirectory)];

    /// <summary>Adds <c>options.name</c> (camelCase; <c>options.architecture.learningRate</c> for nested options) for every option.</summary>
    public static CheckpointFingerprint WithOptions(this CheckpointFingerprint fingerprint, string prefix, object options)
    {
        foreach (var p in options.GetType().GetProperties().Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && !Changeable.Contains(p.Name))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            string key = $"{prefix}.{char.ToLowerInvariant(p.Name[0])}{p.Name[1..]}";
            object? value = p.GetValue(options);
            fingerprint = value is not null && IsNested(value.GetType())
                ? fingerprint.WithOptions(key, value)
                : fingerprint.With(key, value is IEnumerable list and not string ? string.Join(",", list.Cast<object?>()) : value);
        }

        return fingerprint;
    }

    private static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("IstaNas", StringComparison.Ordinal) == true;
}
