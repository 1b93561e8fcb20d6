using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// What random search with weight sharing (<see cref="RandomRun"/>) needs of its space: the super-net, the decisions a
/// step draws a support of, the candidates it ranks and how one is scored, and the result. <see cref="RandomCellSpace"/>
/// is the DARTS cell, <see cref="RandomChoiceSpace"/> a model with choices; the epochs, the W-step, the checkpoint state
/// and the ranking loop are the run's, written once.
/// </summary>
internal abstract class RandomSpace : IDisposable
{
    /// <summary>The super-net (W only; every drawn candidate weighted 1).</summary>
    public abstract ISuperNet Net { get; }

    /// <summary>The decisions the checkpoint fingerprint names (a model's choices); null for the DARTS cell space.</summary>
    public virtual IReadOnlyList<Decision>? FingerprintDecisions => null;

    /// <summary>The decisions a step draws a uniform support of (s distinct candidates each), in the super-net's order.</summary>
    protected abstract IReadOnlyList<Decision> Drawn { get; }

    /// <summary>Sets the super-net to a uniformly drawn support per decision, every drawn candidate weighted 1 (tensors in the caller's scope).</summary>
    public void DrawSupports(DeterministicRandom random) =>
        Net.SetWeights(SuperNetScoring.Weights(Net.Module, [.. Drawn.Select(d => RandomArchitectures.Support(d.Count, d.Picks, random))]));

    /// <summary>Logs what the search runs on, once the run is built.</summary>
    public abstract void LogStart(ILogger log, SearchContext context, RandomOptions o, int trainCount, int validCount, int stepsPerEpoch);

    /// <summary>Ranks the drawn candidates after the last epoch and returns its report with the winner's accuracy.</summary>
    public abstract EpochReport Rank(EpochReport report, CandidateRanking ranking, ILogger log);

    /// <summary>
    /// The result's genotype (the DARTS cell) or architecture (a model): the ranked best, or (no ranking reached, or a
    /// run cancelled while ranking) the first drawn candidate, unranked.
    /// </summary>
    public abstract (Genotype? Genotype, ChoiceArchitecture? Architecture) Best(IReadOnlyList<EpochReport> history, bool cancelledWhileRanking);

    /// <summary>Stores what the space keeps beyond the network and its optimiser (before them).</summary>
    public virtual void SaveState(CheckpointWriter writer)
    {
    }

    /// <summary>Loads what <see cref="SaveState"/> stored (after the network and its optimiser).</summary>
    public virtual void LoadState(Checkpoint checkpoint)
    {
    }

    /// <summary>Disposes the super-net.</summary>
    public void Dispose() => Net.Module.Dispose();
}
