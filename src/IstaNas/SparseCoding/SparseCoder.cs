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
        options.Validate();
        return options.Method switch
        {
            SparseCodingMethod.Auto => new AutoSparseCoder(options),
            SparseCodingMethod.ActiveSet => new ActiveSetSparseCoder(options),
            _ => new TensorSparseCoder(options),
        };
    }
}
