using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// The <see cref="IStrategy"/> of every built-in strategy: its name, its validated options and the run that searches.
/// The search itself lives in the run's static <c>Search</c> (<see cref="TwoStageRun"/>, <see cref="OneStageRun"/>,
/// <see cref="DartsRun"/>, <see cref="RandomRun"/>), which searches the DARTS cell space or a model with choices.
/// </summary>
/// <typeparam name="TOptions">The strategy's options.</typeparam>
internal sealed class BuiltInStrategy<TOptions> : IStrategy
    where TOptions : TrainingOptions
{
    private readonly Func<SearchContext, TOptions, CancellationToken, SearchResult> _search;

    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, also its checkpoint kind ("two-stage", ...).</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="section">The options' configuration section, for the validation message ("TwoStage", ...).</param>
    /// <param name="search">The search, on the DARTS cell space or a model with choices.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public BuiltInStrategy(string name, TOptions options, string section,
        Func<SearchContext, TOptions, CancellationToken, SearchResult> search)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = OptionsValidation.Validate(options, section);
        _search = search;
    }

    /// <summary>The options of this strategy.</summary>
    public TOptions Options { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _search(context, Options, cancellationToken);
    }
}
