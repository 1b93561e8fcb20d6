namespace IstaNas.Strategies;

/// <summary>
/// A way to search (and possibly train) an architecture on the data of a <see cref="SearchContext"/>. The built-in ones
/// are chosen with <c>SearchBuilder.UseTwoStage</c>, <c>UseOneStage</c>, <c>UseDarts</c> and <c>UseRandom</c>; your own
/// with <c>SearchBuilder.UseStrategy</c>. A strategy over a model with choices gets its super-net from
/// <see cref="SearchContext.CreateSuperNet"/> (set weights per choice with <see cref="Networks.ISuperNet.SetWeights"/>
/// before every forward pass), may keep a compressed space per choice (<see cref="SearchSpace.CompressedSearchSpace.ForDecisions"/>),
/// and returns its picks as <see cref="SearchResult.Architecture"/>. To run on the library's training loop, with its
/// checkpoints, progress, cancellation and resume, subclass <see cref="SearchLoop"/> and call its <see cref="SearchLoop.Run"/>
/// from <see cref="Run"/>; samples/IstaNas.StrategySample writes one.
/// </summary>
public interface IStrategy
{
    /// <summary>Short name for logs and file names ("two-stage", "one-stage", "darts").</summary>
    string Name { get; }

    /// <summary>Runs the strategy. Cancellation stops cleanly at the next step and returns what was reached.</summary>
    /// <param name="context">Data, search space, recovery, device, seed, logging and progress.</param>
    /// <param name="cancellationToken">Stops the run at the next step.</param>
    /// <returns>The genotype, the final search state and the per-epoch history.</returns>
    SearchResult Run(SearchContext context, CancellationToken cancellationToken = default);
}
