using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// The <see cref="IStrategy"/> of every built-in strategy: its name, its validated options and the run that searches.
/// The search itself lives in the run's static <c>Search</c> (<see cref="TwoStageRun"/>, <see cref="OneStageRun"/> and
/// <see cref="OneStageChoiceRun"/>, <see cref="DartsRun"/>, <see cref="RandomRun"/> and <see cref="ChoiceRandomRun"/>);
/// a strategy with one run for the DARTS cell space and one for a model with choices gets both, and the context's space picks.
/// </summary>
/// <typeparam name="TOptions">The strategy's options.</typeparam>
internal sealed class BuiltInStrategy<TOptions> : IStrategy
    where TOptions : TrainingOptions
{
    private readonly Func<SearchContext, TOptions, CancellationToken, SearchResult> _onCells;
    private readonly Func<SearchContext, TOptions, CancellationToken, SearchResult> _onChoices;

    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, also its checkpoint kind ("two-stage", ...).</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="section">The options' configuration section, for the validation message ("TwoStage", ...).</param>
    /// <param name="onCells">The search on the DARTS cell space.</param>
    /// <param name="onChoices">The search on a model with choices; <paramref name="onCells"/> when null (one run searches both).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public BuiltInStrategy(string name, TOptions options, string section,
        Func<SearchContext, TOptions, CancellationToken, SearchResult> onCells,
        Func<SearchContext, TOptions, CancellationToken, SearchResult>? onChoices = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = OptionsValidation.Validate(options, section);
        _onCells = onCells;
        _onChoices = onChoices ?? onCells;
    }

    /// <summary>The options of this strategy.</summary>
    public TOptions Options { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (context.HasChoiceSpace ? _onChoices : _onCells)(context, Options, cancellationToken);
    }
}
