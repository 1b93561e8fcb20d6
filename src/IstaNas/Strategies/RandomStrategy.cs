using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.Training;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// The chance baseline on the ISTA-NAS space: genotypes of the space's sparsity s drawn uniformly (s distinct candidates
/// per node, candidate = predecessor * K + operation; see <see cref="RandomArchitectures"/>), seeded by
/// <see cref="SearchContext.Seed"/>, so that a search can be compared with chance under the same evaluation budget.
/// <para>
/// With <see cref="RandomOptions.WeightSharing"/> it is random search with weight sharing (Li and Talwalkar, 2019): the
/// two-stage super-net (non-affine BNs, BN after pools) trains W only, each step on a uniformly drawn support per node with
/// every drawn candidate weighted 1; after the last epoch <see cref="RandomOptions.Candidates"/> distinct drawn genotypes
/// are scored with the inherited weights and recalibrated BN statistics (<see cref="Training.SuperNetScoring"/>) on the
/// validation split, and the best is returned (its accuracy is the last epoch's <see cref="EpochReport.ValidAccuracy"/>;
/// the ranking is logged). Checkpoints (<c>random.ckpt</c>) and resume work as for the other strategies; the ranking
/// belongs to the last epoch, so a run cancelled while ranking continues from the epoch before.
/// </para>
/// </summary>
internal sealed class RandomStrategy : IStrategy
{
    /// <summary>The checkpoint kind and strategy name.</summary>
    public const string Kind = "random";

    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public RandomStrategy(RandomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "Random");
    }

    /// <summary>The options of this run.</summary>
    public RandomOptions Options { get; }

    /// <inheritdoc />
    public string Name => Kind;

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILogger log = context.LoggerFactory.CreateLogger<RandomStrategy>();
        if (context.Space is not null) return RunOnChoices(context, log, cancellationToken);
        if (!Options.WeightSharing)
        {
            var clock = Stopwatch.StartNew();
            Genotype genotype = RandomArchitectures.Draw(context.SearchSpace, context.Seed);
            log.LogInformation("Random genotype (seed {Seed}, s = {S}, no training):{NewLine}{Genotype}",
                context.Seed, context.SearchSpace.Sparsity, Environment.NewLine, genotype);
            return new SearchResult
            {
                Strategy = Kind, Genotype = genotype, Architecture = SearchSetup.CellArchitecture(genotype, [.. context.SearchSpace.Operations]), History = [],
                Elapsed = clock.Elapsed,
            };
        }

        using var run = new RandomRun(context, Options, log, cancellationToken);
        try
        {
            return run.Result(run.Run(context.ResumeFrom, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return run.CancelledWhileRanking();
        }
    }

    /// <summary>The random baseline on a model with choices: a seeded draw, or random search with weight sharing.</summary>
    private SearchResult RunOnChoices(SearchContext context, ILogger log, CancellationToken cancellationToken)
    {
        if (!Options.WeightSharing)
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyList<Decision> decisions;
            using (ChoiceSuperNet net = SearchSetup.ChoiceNetwork(context)) decisions = net.Decisions;
            ChoiceArchitecture architecture = ChoiceArchitectures.Draw(decisions, context.Seed);
            log.LogInformation("Random architecture (seed {Seed}, no training):{NewLine}{Architecture}", context.Seed, Environment.NewLine, architecture);
            return new SearchResult { Strategy = Kind, Architecture = architecture, History = [], Elapsed = clock.Elapsed };
        }

        using var run = new ChoiceRandomRun(context, Options, log, cancellationToken);
        try
        {
            return run.Result(run.Run(context.ResumeFrom, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return run.CancelledWhileRanking();
        }
    }
}
