using IstaNas.Data;
using IstaNas.SearchSpace;
using IstaNas.Strategies;

namespace IstaNas;

/// <summary>A configured search, ready to run.</summary>
public sealed class Search
{
    internal Search(IStrategy strategy, SearchContext context)
    {
        Strategy = strategy;
        Context = context;
    }

    /// <summary>The strategy that will run.</summary>
    public IStrategy Strategy { get; }

    /// <summary>Data, space, sparse coder, device and seed.</summary>
    public SearchContext Context { get; }

    /// <summary>The strategy that will run: "two-stage", "one-stage", "darts", ...</summary>
    public string StrategyName => Strategy.Name;

    /// <summary>The training set (the strategies split it as they need).</summary>
    public LabelledDataset TrainingSet => Context.Train;

    /// <summary>The search space's shape.</summary>
    public SearchSpaceOptions SearchSpace => Context.SearchSpace;

    /// <summary>The seed of everything random.</summary>
    public long Seed => Context.Seed;

    /// <summary>Runs the search; cancellation stops at the next step and returns what was reached.</summary>
    public SearchResult Run(CancellationToken cancellationToken = default) => Strategy.Run(Context, cancellationToken);

    /// <summary>Runs the search on a worker thread (for hosted services and UI code); cancellation stops at the next step.</summary>
    /// <param name="cancellationToken">Stops the run at the next step (a checkpoint is written when a directory is set).</param>
    /// <returns>The result, also when cancelled (<see cref="SearchResult.Cancelled"/>).</returns>
    public Task<SearchResult> RunAsync(CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
