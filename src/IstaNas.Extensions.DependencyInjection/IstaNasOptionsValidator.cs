using IstaNas.Validation;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The library's validator of an options class, for Microsoft.Extensions.Options: the data annotations and
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules the library itself checks, with the
/// same messages (the option's path under the IstaNas section and its value).
/// </summary>
/// <typeparam name="T">The options class.</typeparam>
internal sealed class IstaNasOptionsValidator<T> : IValidateOptions<T>
    where T : class
{
    private readonly string _section;

    /// <summary>A validator naming the options by their configuration section.</summary>
    /// <param name="section">The section (<c>TwoStage</c>, ...).</param>
    public IstaNasOptionsValidator(string section) => _section = section;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<OptionsFailure> failures = OptionsValidation.Failures(options, _section);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => f.Text));
    }
}
