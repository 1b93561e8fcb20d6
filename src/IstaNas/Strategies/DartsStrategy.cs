using IstaNas.SearchSpace;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;

namespace IstaNas.Strategies;

/// <summary>
/// First-order DARTS (Liu et al., 2019) on the same cells, as the dense baseline (<see cref="DartsSearchSpace"/>): every
/// candidate of every edge runs, mixed by the softmax of its edge's alpha. Per minibatch an architecture step (Adam on
/// the validation loss, no unrolling) alternates with a W-step (SGD, cosine schedule, gradient clipping). Checkpoints
/// (<c>darts.ckpt</c>) and resume work as for the ISTA-NAS strategies.
/// </summary>
internal sealed class DartsStrategy : IStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public DartsStrategy(DartsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "Darts");
    }

    /// <summary>The options of this run.</summary>
    public DartsOptions Options { get; }

    /// <inheritdoc />
    public string Name => "darts";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var run = new DartsRun(context, Options, context.LoggerFactory.CreateLogger<DartsStrategy>());
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }
}
