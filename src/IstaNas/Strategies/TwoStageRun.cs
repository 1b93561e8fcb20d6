using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// Two-stage ISTA-NAS (docs/concepts.md, "Two-stage search"): on a proxy super-net that runs only the support of every
/// node, alternate per minibatch a b-step (Adam on the validation loss, first order) and a W-step (SGD on the training
/// loss); after every epoch recover z from b by sparse coding, warm-started; the genotype is the top-s |z| per node.
/// With <see cref="TrainingOptions.CheckpointDirectory"/> set, <c>two-stage.ckpt</c> is replaced after every epoch and on
/// cancellation; <see cref="SearchContext.ResumeFrom"/> continues such a run exactly where it stopped.
/// <para>One run is one search: the bilevel run on the compressed space, with the recovery of z after every epoch.</para>
/// </summary>
internal sealed class TwoStageRun : BilevelRun
{
    /// <summary>The strategy's name and checkpoint kind.</summary>
    public const string StrategyName = "two-stage";

    private const string SpaceValue = "searchSpace";

    private CompressedSearchSpace _space = null!;

    public TwoStageRun(SearchContext context, TwoStageOptions o, ILogger log)
        : base(StrategyName, context, o, o.Architecture, o.TrainPortion, "b", log,
            clipArchitecture: o.GradClipIncludesLatent, zeroFillWeights: o.StepIdleCandidates)
    {
        UseSearchSpace(_space.ArchitectureWeights, _space.LatentParameters);
        string clip = $"grad clip {o.GradClip} over {(o.GradClipIncludesLatent ? "W and b" : "W")}, idle candidates {(o.StepIdleCandidates ? "stepped" : "frozen")}";
        if (_space.IsCellSpace)
            log.LogInformation(
                "Two-stage search on {Dataset} ({Train} images for W, {Valid} for b): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, m={M} s={S}, {Clip}",
                context.Train.Name, TrainImages, ValidImages, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs,
                context.SearchSpace.ProjectionDims, context.SearchSpace.Sparsity, clip);
        else
            log.LogInformation(
                "Two-stage search of {Choices} choices on {Dataset} ({Train} images for W, {Valid} for b): batch {Batch}, {Steps} steps x {Epochs} epochs; {Decisions}; {Clip}",
                _space.Decisions.Count, context.Train.Name, TrainImages, ValidImages, o.BatchSize, StepsPerEpoch, o.Epochs, SuperNets.Describe(_space.Decisions), clip);
    }

    /// <summary>The two-stage strategy (<c>SearchBuilder.UseTwoStage</c>).</summary>
    public static IStrategy Strategy(TwoStageOptions options) => new BuiltInStrategy<TwoStageOptions>(StrategyName, options, "TwoStage", Search);

    /// <summary>One two-stage search on the context (the DARTS cell space or a model's choices), resumed from <see cref="SearchContext.ResumeFrom"/> if set.</summary>
    public static SearchResult Search(SearchContext context, TwoStageOptions options, CancellationToken cancellationToken)
    {
        using var run = new TwoStageRun(context, options, context.LoggerFactory.CreateLogger<TwoStageRun>());
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }

    protected override string ArchitectureOptimizerSection => "b-optimizer";

    protected override nn.Module<Tensor, Tensor> CreateSpaceAndNetwork()
    {
        if (Context.Space is null)
        {
            _space = new CompressedSearchSpace(Context.SearchSpace, SparseCoder.Create(Context.SparseCoder), Context.Seed, Context.Device);
            return CellSuperNet([.. Context.SearchSpace.Operations]);
        }

        (ChoiceSuperNet net, _space) = SuperNets.CompressedChoiceSpace(Context);
        SpaceDecisions = _space.Decisions;
        return net;
    }

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var clock = Stopwatch.StartNew();
        RecoveryReport recovery = _space.Recover();
        clock.Stop();
        Genotype? genotype = _space.IsCellSpace ? _space.DeriveGenotype() : null;
        if (!recovery.AllConverged)
            Log.LogWarning("Recovery stopped at its iteration cap before reaching the tolerance for some nodes; raise SparseCoder.MaxIterations.");
        foreach (NodeRecovery kept in recovery.Kept)
            Warn($"Epoch {report.Epoch}: the recovered code of {kept.Key} has {kept.NonZeros} non-zero entries, " +
                 $"fewer than s = {_space.Decisions.First(d => d.Key == kept.Key).Picks}; the node keeps its previous code and support.");
        Log.LogInformation("max |dz| {Dz:0.###e0}, recovery {Ms:0.###} ms{NewLine}{Genotype}",
            recovery.MaxChange, clock.Elapsed.TotalMilliseconds, Environment.NewLine, (object?)genotype ?? ChoiceArchitectures.OfSpace(_space));
        return report with
        {
            Genotype = genotype,
            ZChange = recovery.Nodes.ToDictionary(n => n.Key, n => n.Change),
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

    private SearchResult Result(TrainingOutcome outcome) =>
        Result(outcome, _space.IsCellSpace ? _space.DeriveGenotype() : null, _space.GetState()) with { Architecture = ChoiceArchitectures.OfSpace(_space) };

    public override void Dispose()
    {
        base.Dispose();
        _space.Dispose();
    }
}
