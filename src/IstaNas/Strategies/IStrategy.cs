namespace IstaNas.Strategies;

/// <summary>A way to search (and possibly train) an architecture on the data of a <see cref="SearchContext"/>.</summary>
internal interface IStrategy
{
    /// <summary>Short name for logs and file names ("two-stage", "one-stage", "darts").</summary>
    string Name { get; }

    /// <summary>Runs the strategy. Cancellation stops cleanly at the next step and returns what was reached.</summary>
    /// <param name="context">Data, search space, recovery, device, seed, logging and progress.</param>
    /// <param name="cancellationToken">Stops the run at the next step.</param>
    /// <returns>The genotype, the final search state and the per-epoch history.</returns>
    SearchResult Run(SearchContext context, CancellationToken cancellationToken = default);
}
