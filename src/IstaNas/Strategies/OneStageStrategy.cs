using IstaNas.Validation;
using Microsoft.Extensions.Logging;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage ISTA-NAS (docs/concepts.md, "One-stage search"). The super-net has the target network's settings and a BN
/// at the end of every candidate (appended to pools and the identity skip); the affine parameters of every BN inside a
/// candidate (SepConv's inner one too) stay at gamma = 1, beta = 0 while its node searches. Each minibatch does one
/// forward/backward on the training set that updates b (Adam) and W (SGD). After every epoch the searching nodes' codes
/// are recovered; a code whose derived network reaches the parameter budget is rejected; a node whose code moved by at
/// most epsilon freezes: its b stops, its alpha becomes a constant and the BNs of its selected operations start
/// training. When every node is frozen the architecture is fixed and
/// the network trains for <see cref="Training.TrainingOptions.Epochs"/> more epochs under a cosine schedule. The result
/// holds the genotype and the trained network with every alpha absorbed into its BN. On a model with choices
/// (<c>SearchBuilder.UseSpace</c>) every choice is a decision searched the same way; alpha is absorbed into the final BN of
/// the candidates that end in an affine BN and kept as a constant scale on the others (docs/search-spaces.md,
/// "One-stage on your space").
/// </summary>
internal sealed class OneStageStrategy : IStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public OneStageStrategy(OneStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "OneStage");
    }

    /// <summary>The options of this run.</summary>
    public OneStageOptions Options { get; }

    /// <inheritdoc />
    public string Name => "one-stage";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILogger log = context.LoggerFactory.CreateLogger<OneStageStrategy>();
        if (context.HasChoiceSpace)
        {
            using var choices = new OneStageChoiceRun(context, Options, log);
            return choices.Result(choices.Run(context.ResumeFrom, cancellationToken));
        }

        using var run = new OneStageRun(context, Options, log);
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }
}
