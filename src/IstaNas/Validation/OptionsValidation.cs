using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IstaNas.Validation;

/// <summary>
/// Validates IstaNas options classes by their data annotations (and <see cref="IValidatableObject"/>),
/// the same rules <c>services.AddIstaNas(...)</c> applies through Microsoft.Extensions.Options.
/// </summary>
internal static class OptionsValidation
{
    /// <summary>Throws <see cref="OptionsValidationException"/> naming every invalid option and its value.</summary>
    /// <typeparam name="T">The options class.</typeparam>
    /// <param name="options">The instance to check.</param>
    /// <param name="name">A name for the options in messages (for example "UseTwoStage").</param>
    public static T Validate<T>(T options, string? name = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        var context = new ValidationContext(options);
        if (Validator.TryValidateObject(options, context, results, validateAllProperties: true))
            return options;
        string prefix = name ?? typeof(T).Name;
        var failures = results.Select(r =>
        {
            string members = string.Join(", ", r.MemberNames.Select(m => $"{prefix}.{m}"));
            object? value = r.MemberNames.Count() == 1 ? ValueOf(options, r.MemberNames.First()) : null;
            string shown = value is null ? string.Empty : $" (value: {Format(value)})";
            return $"{(members.Length > 0 ? members : prefix)}: {r.ErrorMessage}{shown}";
        }).ToArray();
        throw new OptionsValidationException(prefix, typeof(T), failures);
    }

    /// <summary>
    /// The data-annotation errors of a nested options object, with member names prefixed (<c>Architecture.LearningRate</c>),
    /// for an <see cref="IValidatableObject"/> parent to yield (DataAnnotations does not descend into properties).
    /// </summary>
    public static IEnumerable<ValidationResult> Nested(object? options, string prefix)
    {
        if (options is null)
        {
            yield return new ValidationResult($"{prefix} is required.", [prefix]);
            yield break;
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (ValidationResult r in results)
            yield return new ValidationResult(r.ErrorMessage, [.. r.MemberNames.Select(m => $"{prefix}.{m}")]);
    }

    private static object? ValueOf(object options, string path)
    {
        object? value = options;
        foreach (string name in path.Split('.'))
            value = value?.GetType().GetProperty(name)?.GetValue(value);
        return value;
    }

    private static string Format(object value) => value switch
    {
        string s => $"'{s}'",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>()) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
