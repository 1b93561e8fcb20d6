using IstaNas.Training;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;

namespace IstaNas.Strategies;

/// <summary>
/// Two-stage ISTA-NAS (docs/concepts.md, "Two-stage search"): on a proxy super-net that runs only the support of every
/// node, alternate per minibatch a b-step (Adam on the validation loss, first order) and a W-step (SGD on the training
/// loss); after every epoch recover z from b by sparse coding, warm-started; the genotype is the top-s |z| per node.
/// With <see cref="TrainingOptions.CheckpointDirectory"/> set, <c>two-stage.ckpt</c> is replaced after every epoch and on
/// cancellation; <see cref="SearchContext.ResumeFrom"/> continues such a run exactly where it stopped.
/// </summary>
internal sealed class TwoStageStrategy : IStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public TwoStageStrategy(TwoStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "TwoStage");
    }

    /// <summary>The options of this run.</summary>
    public TwoStageOptions Options { get; }

    /// <inheritdoc />
    public string Name => "two-stage";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var run = new TwoStageRun(context, Options, context.LoggerFactory.CreateLogger<TwoStageStrategy>());
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }
}
