using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Networks;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// Random search on a model with choices (<see cref="RandomRun"/>): architectures with a uniformly drawn s-subset per
/// choice (<see cref="ChoiceArchitectures"/>); with weight sharing, the model's super-net, and the ranking's winner kept
/// in the checkpoint so that a finished run continued reports it.
/// </summary>
internal sealed class RandomChoiceSpace : RandomSpace
{
    private const string BestValue = "architecture";

    private readonly SearchContext _context;
    private readonly RandomOptions _o;
    private readonly ChoiceSuperNet _net;
    private ChoiceArchitecture? _best;

    /// <summary>Builds the super-net on the context's device.</summary>
    /// <exception cref="ArgumentException">The model is not a valid space, or has fewer architectures than the candidates asked for.</exception>
    public RandomChoiceSpace(SearchContext context, RandomOptions o)
    {
        _context = context;
        _o = o;
        _net = SuperNets.ChoiceNetwork(context);
        if (ChoiceArchitectures.SpaceSize(_net.Decisions) < o.Candidates)
        {
            double size = ChoiceArchitectures.SpaceSize(_net.Decisions);
            _net.Dispose();
            throw new ArgumentException(
                $"Random.Candidates = {o.Candidates} exceeds the {size:0} distinct architectures of the model's choices.", nameof(o));
        }
        _net.to(context.Device);
    }

    public override ISuperNet Net => _net;

    public override IReadOnlyList<Decision> FingerprintDecisions => _net.Decisions;

    protected override IReadOnlyList<Decision> Drawn => _net.Decisions;

    /// <summary>A seeded architecture of the model's choices, no training.</summary>
    public static SearchResult Draw(SearchContext context, ILogger log)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Decision> decisions;
        using (ChoiceSuperNet net = SuperNets.ChoiceNetwork(context)) decisions = net.Decisions;
        ChoiceArchitecture architecture = ChoiceArchitectures.Draw(decisions, context.Seed);
        log.LogInformation("Random architecture (seed {Seed}, no training):{NewLine}{Architecture}", context.Seed, Environment.NewLine, architecture);
        return new SearchResult { Strategy = RandomRun.StrategyName, Architecture = architecture, History = [], Elapsed = clock.Elapsed };
    }

    public override void LogStart(ILogger log, SearchContext context, RandomOptions o, int trainCount, int validCount, int stepsPerEpoch) =>
        log.LogInformation(
            "Random search with weight sharing of {Choices} choices on {Dataset} ({Train} images for W, {Valid} to rank): batch {Batch}, {Steps} steps x {Epochs} epochs, " +
            "then {Candidates} candidates scored with BN statistics recalibrated on {Calibration} batches",
            _net.Decisions.Count, context.Train.Name, trainCount, validCount, o.BatchSize, stepsPerEpoch, o.Epochs, o.Candidates, o.CalibrationBatches);

    public override EpochReport Rank(EpochReport report, CandidateRanking ranking, ILogger log)
    {
        (ChoiceArchitecture best, double accuracy) = ranking.Best(ChoiceArchitectures.DrawDistinct(_net.Decisions, _o.Candidates, _context.Seed),
            a => SuperNetScoring.Accuracy(_net, () => _net.SetWeights(SuperNetScoring.Weights(_net, [.. a.Choices.Select(c => c.Picks.ToArray())])),
                ranking.Calibration(), ranking.Validation()),
            (index, count, accuracy, a) => log.LogInformation("Candidate {Index}/{Count}: super-net validation top1 {Accuracy:P2}{NewLine}{Architecture}",
                index, count, accuracy, Environment.NewLine, a));
        log.LogInformation("Best candidate: super-net validation top1 {Accuracy:P2}{NewLine}{Architecture}", accuracy, Environment.NewLine, best);
        _best = best;
        return report with { ValidAccuracy = accuracy };
    }

    public override (Genotype? Genotype, ChoiceArchitecture? Architecture) Best(IReadOnlyList<EpochReport> history, bool cancelledWhileRanking) =>
        (null, (cancelledWhileRanking ? null : _best) ?? ChoiceArchitectures.Draw(_net.Decisions, _context.Seed));

    /// <summary>The ranking's winner, so that a finished run continued reports it.</summary>
    public override void SaveState(CheckpointWriter writer)
    {
        if (_best is not null) writer.SetValue(BestValue, _best.ToJson());
    }

    public override void LoadState(Checkpoint checkpoint)
    {
        try
        {
            _best = checkpoint.Metadata.TryGetValue(BestValue, out string? best) && best is not null ? ChoiceArchitecture.FromJson(best) : null;
        }
        catch (FormatException ex)
        {
            throw new CheckpointException(checkpoint.Path, $"its ranked architecture is unreadable: {ex.Message}", ex);
        }
    }
}
