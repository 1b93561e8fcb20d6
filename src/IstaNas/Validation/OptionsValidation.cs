using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IstaNas.Validation;

/// <summary>
/// The one validator of IstaNas options: every options class states its rules as data annotations, and its cross-field
/// rules through <see cref="IValidatableObject"/>; this class runs them (the same rules <c>services.AddIstaNas(...)</c>
/// applies through Microsoft.Extensions.Options) and words every failure the same way, naming the option and its value.
/// </summary>
internal static class OptionsValidation
{
    /// <summary>Throws <see cref="OptionsValidationException"/> naming every invalid option and its value.</summary>
    /// <typeparam name="T">The options class.</typeparam>
    /// <param name="options">The instance to check.</param>
    /// <param name="name">A name for the options in messages (for example "UseTwoStage").</param>
    /// <returns><paramref name="options"/>.</returns>
    public static T Validate<T>(T options, string? name = null)
        where T : class
    {
        string prefix = name ?? typeof(T).Name;
        IReadOnlyList<OptionsFailure> failures = Failures(options, prefix);
        if (failures.Count == 0)
            return options;
        throw new OptionsValidationException(prefix, typeof(T), [.. failures.Select(f => f.Text)]);
    }

    /// <summary>
    /// Validates options given as a method's argument: throws the exception <paramref name="exception"/> makes of the
    /// first failure (its message lists every failure), for example an <see cref="ArgumentException"/> naming the option.
    /// </summary>
    /// <typeparam name="T">The options class.</typeparam>
    /// <param name="options">The instance to check.</param>
    /// <param name="exception">Makes the exception from the first failure and the message that lists them all.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static T ValidateArgument<T>(T options, Func<OptionsFailure, string, ArgumentException> exception)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(exception);
        IReadOnlyList<OptionsFailure> failures = Failures(options, typeof(T).Name);
        if (failures.Count == 0)
            return options;
        throw exception(failures[0], string.Join(" ", failures.Select(f => f.Text)));
    }

    /// <summary>Every failed rule of <paramref name="options"/> (none when valid), worded with <paramref name="prefix"/>.</summary>
    /// <param name="options">The instance to check.</param>
    /// <param name="prefix">A name for the options in messages.</param>
    /// <returns>The failures.</returns>
    public static IReadOnlyList<OptionsFailure> Failures(object options, string prefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            return [];
        return [.. results.Select(r =>
        {
            string? member = r.MemberNames.Count() == 1 ? r.MemberNames.First() : null;
            object? value = member is null ? null : ValueOf(options, member);
            string members = string.Join(", ", r.MemberNames.Select(m => $"{prefix}.{m}"));
            string shown = value is null ? string.Empty : $" (value: {Format(value)})";
            string message = r.ErrorMessage ?? "is invalid.";
            return new OptionsFailure(member ?? r.MemberNames.FirstOrDefault(), value, message, $"{(members.Length > 0 ? members : prefix)}: {message}{shown}");
        })];
    }

    /// <summary>
    /// The failures of a nested options object, with member names prefixed (<c>Architecture.LearningRate</c>), for an
    /// <see cref="IValidatableObject"/> parent to yield (DataAnnotations does not descend into properties).
    /// </summary>
    /// <param name="options">The nested options.</param>
    /// <param name="prefix">The parent's property name.</param>
    /// <returns>The failures as validation results.</returns>
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
