using IstaNas.Validation;

namespace IstaNas.SparseCoding;

/// <summary>Creates the <see cref="ISparseCoder"/> selected by <see cref="SparseCoderOptions.Method"/>.</summary>
public static class SparseCoder
{
    /// <summary>
    /// Auto: an <see cref="AutoSparseCoder"/> (active set for small CPU problems, FISTA otherwise); ActiveSet: an
    /// <see cref="ActiveSetSparseCoder"/>; Ista and Fista: a <see cref="TensorSparseCoder"/>.
    /// </summary>
    /// <param name="options">The options (copied and validated by the coder).</param>
    /// <returns>A new coder.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static ISparseCoder Create(SparseCoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidatedCopy(options);
        return options.Method switch
        {
            SparseCodingMethod.Auto => new AutoSparseCoder(options),
            SparseCodingMethod.ActiveSet => new ActiveSetSparseCoder(options),
            _ => new TensorSparseCoder(options),
        };
    }

    /// <summary>
    /// A coder's own copy of <paramref name="options"/>, checked by the options' data annotations: an invalid option is an
    /// <see cref="ArgumentOutOfRangeException"/> whose parameter is the option and whose message names its value.
    /// </summary>
    internal static SparseCoderOptions ValidatedCopy(SparseCoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsValidation.ValidateArgument(OptionsCopy.Of(options), (f, message) => new ArgumentOutOfRangeException(f.Member, f.Value, message));
    }
}
