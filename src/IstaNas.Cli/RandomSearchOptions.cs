using System.CommandLine;
using IstaNas.Strategies;

namespace IstaNas.Cli;

/// <summary>The options of <c>search --strategy random</c>: weight sharing, candidates, BN calibration.</summary>
internal sealed class RandomSearchOptions
{
    public Option<bool> WeightSharing { get; } = new("--weight-sharing")
    {
        Description = "With --strategy random: train a weight-sharing super-net (a uniformly drawn support per step) and return the best of --candidates " +
                      "drawn genotypes by super-net validation accuracy (random search with weight sharing). Without it, random is a seeded draw: no training.",
    };

    public Option<int?> Candidates { get; } = new("--candidates") { Description = "With --strategy random --weight-sharing: genotypes drawn and ranked after training (default 20)." };

    public Option<int?> CalibrationBatches { get; } = new("--calibration-batches")
    {
        Description = "With --strategy random --weight-sharing: training batches that recalibrate the BN statistics before each candidate is scored (default 10).",
    };

    public IReadOnlyList<Option> All => [WeightSharing, Candidates, CalibrationBatches];

    /// <summary>
    /// Throws a one-line ArgumentException when a random-only option is given to another strategy, a count is not positive,
    /// or a weight-sharing option is given to a new random run without --weight-sharing (a resumed run keeps its own).
    /// </summary>
    public void Check(ParseResult p, string strategy, bool resuming)
    {
        foreach (Option o in All)
            if (p.GetResult(o) is { Implicit: false } && strategy != "random")
                throw new ArgumentException($"{o.Name} applies to --strategy random only.");
        foreach (Option<int?> o in new[] { Candidates, CalibrationBatches })
            if (p.GetValue(o) is int n && n < 1)
                throw new ArgumentException($"{o.Name} must be at least 1, not {n}.");
        if (!resuming && !p.GetValue(WeightSharing))
            foreach (Option<int?> o in new[] { Candidates, CalibrationBatches })
                if (p.GetResult(o) is { Implicit: false })
                    throw new ArgumentException($"{o.Name} applies to --strategy random --weight-sharing only (without it, random draws one genotype and trains nothing).");
    }

    /// <summary>Applies the options given on the command line (those not given keep the defaults, or a resumed run's values).</summary>
    public void Apply(ParseResult p, RandomOptions o)
    {
        if (p.GetResult(WeightSharing) is { Implicit: false }) o.WeightSharing = p.GetValue(WeightSharing);
        if (p.GetValue(Candidates) is int candidates) o.Candidates = candidates;
        if (p.GetValue(CalibrationBatches) is int batches) o.CalibrationBatches = batches;
    }
}
