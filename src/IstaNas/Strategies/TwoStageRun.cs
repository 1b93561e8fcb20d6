using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using DataLoader = IstaNas.Data.DataLoader;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>One two-stage search on the <see cref="TrainingLoop"/>: its super-net, search space, optimisers and loaders.</summary>
internal sealed class TwoStageRun : SearchRun
{
    private const string SpaceValue = "searchSpace";
    private const string WeightsOptimizer = "w-optimizer";
    private const string LatentOptimizer = "b-optimizer";

    private readonly TwoStageOptions _o;
    private readonly DataLoader _trainLoader;
    private readonly DataLoader _validLoader;
    private readonly CompressedSearchSpace _space;
    private readonly SearchNetwork _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _bOptimizer;

    public TwoStageRun(SearchContext context, TwoStageOptions o, ILogger log)
        : base("two-stage", context, o, log)
    {
        _o = o;
        (_trainLoader, _validLoader, StepsPerEpoch) = SearchSetup.BilevelLoaders(context, o, o.TrainPortion, "b");
        torch.random.manual_seed(context.Seed);
        _space = new CompressedSearchSpace(context.SearchSpace, SparseCoder.Create(context.Recovery), context.Seed, context.Device);
        _net = new SearchNetwork(SearchSetup.Network(context, o, [.. context.SearchSpace.Operations]) with { Affine = false });
        _net.to(context.Device);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _bOptimizer = optim.Adam(_space.LatentParameters, o.ArchLearningRate, o.ArchBeta1, o.ArchBeta2, weight_decay: o.ArchWeightDecay);
        log.LogInformation(
            "Two-stage search on {Dataset} ({Train} images for W, {Valid} for b): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, m={M} s={S}",
            context.Train.Name, _trainLoader.Dataset.Count, _validLoader.Dataset.Count, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs,
            context.SearchSpace.ProjectionDims, context.SearchSpace.Sparsity);
    }

    protected override int StepsPerEpoch { get; }

    protected override bool ShouldRunEpoch(int epoch) => epoch < _o.Epochs;

    protected override EpochPlan BeginEpoch(int epoch)
    {
        double lr = CosineSchedule.At(epoch, _o.Epochs, _o.LearningRate, _o.LearningRateMin);
        CosineSchedule.Apply(_wOptimizer, lr);
        _net.train();
        return new EpochPlan(TrainingPhase.Search, lr, 0, _o.Epochs);
    }

    protected override IEpochSteps OpenSteps(int epoch, int firstStep) =>
        new BilevelEpoch(_trainLoader.GetEpoch(epoch, firstStep), _validLoader.GetEpoch(epoch, firstStep), (train, valid, trainMetrics, validMetrics) =>
            BilevelStep.Run(_net, () => _net.SetArchitecture(_space), _space.LatentParameters, _bOptimizer, _weights, _wOptimizer, _o.GradClip,
                valid, train, validMetrics, trainMetrics));

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var clock = Stopwatch.StartNew();
        RecoveryReport recovery = _space.Recover();
        clock.Stop();
        Genotype genotype = _space.DeriveGenotype();
        if (!recovery.AllConverged)
            Log.LogWarning("Recovery stopped at its iteration cap before reaching the tolerance for some nodes; raise Recovery.MaxIterations.");
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

    protected override void SaveState(CheckpointWriter writer) => writer
        .SetValue(SpaceValue, _space.GetState())
        .AddModule(_net)
        .AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer)
        .AddOptimizer((OptimizerHelper)_bOptimizer, LatentOptimizer);

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadSearchSpace(SpaceValue, _space);
        checkpoint.LoadModule(_net);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        checkpoint.LoadOptimizer((OptimizerHelper)_bOptimizer, LatentOptimizer);
    }

    public SearchResult Result(TrainingOutcome outcome) => Result(outcome, _space.DeriveGenotype(), _space.GetState());

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _bOptimizer.Dispose();
        _net.Dispose();
        _space.Dispose();
    }
}
