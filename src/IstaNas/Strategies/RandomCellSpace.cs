using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// Random search on the DARTS cell (<see cref="RandomRun"/>): genotypes of the space's sparsity s (s distinct candidates
/// per node, candidate = predecessor * K + operation; <see cref="RandomArchitectures"/>); with weight sharing, the
/// two-stage super-net (non-affine BNs, BN after pools) and candidates scored by <see cref="SuperNetScoring.Accuracy(SuperNet, Genotype, IEnumerable{IstaNas.Data.Batch}, IEnumerable{IstaNas.Data.Batch})"/>.
/// </summary>
internal sealed class RandomCellSpace : RandomSpace
{
    private readonly SearchContext _context;
    private readonly RandomOptions _o;
    private readonly SuperNet _net;

    /// <summary>Builds the super-net on the context's device.</summary>
    public RandomCellSpace(SearchContext context, RandomOptions o)
    {
        _context = context;
        _o = o;
        _net = new SuperNet(SuperNets.Network(context, o, [.. context.SearchSpace.Operations]) with { Affine = false });
        _net.to(context.Device);
        Drawn = CompressedSearchSpace.CellDecisions(context.SearchSpace);
    }

    public override ISuperNet Net => _net;

    protected override IReadOnlyList<Decision> Drawn { get; }

    /// <summary>A seeded genotype, no training.</summary>
    public static SearchResult Draw(SearchContext context, ILogger log)
    {
        var clock = Stopwatch.StartNew();
        Genotype genotype = RandomArchitectures.Draw(context.SearchSpace, context.Seed);
        log.LogInformation("Random genotype (seed {Seed}, s = {S}, no training):{NewLine}{Genotype}",
            context.Seed, context.SearchSpace.Sparsity, Environment.NewLine, genotype);
        return new SearchResult
        {
            Strategy = RandomRun.StrategyName, Genotype = genotype, Architecture = ChoiceArchitectures.OfGenotype(genotype, [.. context.SearchSpace.Operations]), History = [],
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>Refuses more candidates than the space has genotypes (before anything is built).</summary>
    public static void Check(SearchContext context, RandomOptions o)
    {
        if (RandomArchitectures.SpaceSize(context.SearchSpace) < o.Candidates)
            throw new ArgumentException(
                $"Random.Candidates = {o.Candidates} exceeds the {RandomArchitectures.SpaceSize(context.SearchSpace):0} distinct genotypes of the search space.", nameof(o));
    }

    public override void LogStart(ILogger log, SearchContext context, RandomOptions o, int trainCount, int validCount, int stepsPerEpoch) =>
        log.LogInformation(
            "Random search with weight sharing on {Dataset} ({Train} images for W, {Valid} to rank): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, " +
            "s={S}, then {Candidates} candidates scored with BN statistics recalibrated on {Calibration} batches",
            context.Train.Name, trainCount, validCount, o.Channels, o.Layers, o.BatchSize, stepsPerEpoch, o.Epochs,
            context.SearchSpace.Sparsity, o.Candidates, o.CalibrationBatches);

    public override EpochReport Rank(EpochReport report, CandidateRanking ranking, ILogger log)
    {
        (Genotype best, double accuracy) = ranking.Best(RandomArchitectures.DrawDistinct(_context.SearchSpace, _o.Candidates, _context.Seed),
            g => SuperNetScoring.Accuracy(_net, g, ranking.Calibration(), ranking.Validation()),
            (index, count, a, g) => log.LogInformation("Candidate {Index}/{Count}: super-net validation top1 {Accuracy:P2}{NewLine}{Genotype}",
                index, count, a, Environment.NewLine, g));
        log.LogInformation("Best candidate: super-net validation top1 {Accuracy:P2}{NewLine}{Genotype}", accuracy, Environment.NewLine, best);
        return report with { Genotype = best, ValidAccuracy = accuracy };
    }

    public override (Genotype? Genotype, ChoiceArchitecture? Architecture) Best(IReadOnlyList<EpochReport> history, bool cancelledWhileRanking) =>
        (history.LastOrDefault(h => h.Genotype is not null)?.Genotype ?? RandomArchitectures.Draw(_context.SearchSpace, _context.Seed), null);
}
