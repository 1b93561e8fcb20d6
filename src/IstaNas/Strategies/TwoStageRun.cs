using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;

namespace IstaNas.Strategies;

/// <summary>One two-stage search: the bilevel run on the compressed space, with the recovery of z after every epoch.</summary>
internal sealed class TwoStageRun : BilevelRun
{
    private const string SpaceValue = "searchSpace";

    private CompressedSearchSpace _space = null!;

    public TwoStageRun(SearchContext context, TwoStageOptions o, ILogger log)
        : base("two-stage", context, o, o.Architecture, o.TrainPortion, "b", () => [.. context.SearchSpace.Operations], log,
            clipArchitecture: o.GradClipIncludesLatent, zeroFillWeights: o.StepIdleCandidates)
    {
        UseSearchSpace(_space, _space.LatentParameters);
        log.LogInformation(
            "Two-stage search on {Dataset} ({Train} images for W, {Valid} for b): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, m={M} s={S}, " +
            "grad clip {Clip} over {ClipOver}, idle candidates {Idle}",
            context.Train.Name, TrainImages, ValidImages, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs,
            context.SearchSpace.ProjectionDims, context.SearchSpace.Sparsity, o.GradClip, o.GradClipIncludesLatent ? "W and b" : "W",
            o.StepIdleCandidates ? "stepped" : "frozen");
    }

    protected override string ArchitectureOptimizerSection => "b-optimizer";

    protected override void BeforeNetwork() =>
        _space = new CompressedSearchSpace(Context.SearchSpace, SparseCoder.Create(Context.SparseCoder), Context.Seed, Context.Device);

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var clock = Stopwatch.StartNew();
        RecoveryReport recovery = _space.Recover();
        clock.Stop();
        Genotype genotype = _space.DeriveGenotype();
        if (!recovery.AllConverged)
            Log.LogWarning("Recovery stopped at its iteration cap before reaching the tolerance for some nodes; raise SparseCoder.MaxIterations.");
        foreach (NodeRecovery kept in recovery.Kept)
            Warn($"Epoch {report.Epoch}: the recovered code of {NodeKeys.Of(kept.Cell, kept.Node)} has {kept.NonZeros} non-zero entries, " +
                 $"fewer than s = {_space.Options.Sparsity}; the node keeps its previous code and support.");
        Log.LogInformation("max |dz| {Dz:0.###e0}, recovery {Ms:0.###} ms{NewLine}{Genotype}",
            recovery.MaxChange, clock.Elapsed.TotalMilliseconds, Environment.NewLine, genotype);
        return report with
        {
            Genotype = genotype,
            ZChange = recovery.Nodes.ToDictionary(n => NodeKeys.Of(n.Cell, n.Node), n => n.Change),
            ZMagnitude = _space.ZMagnitudes(),
            RecoveryTime = clock.Elapsed,
        };
    }

    protected override void SaveState(CheckpointWriter writer)
    {
        writer.SetValue(SpaceValue, _space.GetState());
        base.SaveState(writer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadSearchSpace(SpaceValue, _space);
        base.LoadState(checkpoint);
    }

    public SearchResult Result(TrainingOutcome outcome) => Result(outcome, _space.DeriveGenotype(), _space.GetState());

    public override void Dispose()
    {
        base.Dispose();
        _space.Dispose();
    }
}
