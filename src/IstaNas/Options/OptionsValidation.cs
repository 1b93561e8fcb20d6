using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IstaNas;

/// <summary>
/// Validates IstaNas options classes by their data annotations (and <see cref="IValidatableObject"/>),
/// the same rules <c>services.AddIstaNas(...)</c> applies through Microsoft.Extensions.Options.
/// </summary>
public static class OptionsValidation
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
            object? value = r.MemberNames.Count() == 1 ? typeof(T).GetProperty(r.MemberNames.First())?.GetValue(options) : null;
            string shown = value is null ? string.Empty : $" (value: {Format(value)})";
            return $"{(members.Length > 0 ? members : prefix)}: {r.ErrorMessage}{shown}";
        }).ToArray();
        throw new OptionsValidationException(prefix, typeof(T), failures);
    }

    private static string Format(object value) => value switch
    {
        string s => $"'{s}'",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>()) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

/// <summary>Runs <see cref="OptionsValidation"/> for Microsoft.Extensions.Options.</summary>
/// <typeparam name="T">The options class.</typeparam>
public sealed class DataAnnotationsOptionsValidator<T> : IValidateOptions<T>
    where T : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, T options)
    {
        try
        {
            OptionsValidation.Validate(options, typeof(T).Name);
            return ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Failures);
        }
    }
}
