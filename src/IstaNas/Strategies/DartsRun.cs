using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using DataLoader = IstaNas.Data.DataLoader;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>One first-order DARTS search on the <see cref="TrainingLoop"/>: dense super-net, alpha, optimisers, loaders.</summary>
internal sealed class DartsRun : SearchRun
{
    private const string AlphaValue = "alpha";
    private const string WeightsOptimizer = "w-optimizer";
    private const string AlphaOptimizer = "alpha-optimizer";

    private readonly DartsOptions _o;
    private readonly DataLoader _trainLoader;
    private readonly DataLoader _validLoader;
    private readonly DartsSearchSpace _space;
    private readonly SearchNetwork _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _aOptimizer;

    public DartsRun(SearchContext context, DartsOptions o, ILogger log)
        : base("darts", context, o, log)
    {
        _o = o;
        (_trainLoader, _validLoader, StepsPerEpoch) = SearchSetup.BilevelLoaders(context, o, o.TrainPortion, "alpha");
        torch.random.manual_seed(context.Seed);
        _space = new DartsSearchSpace([.. context.SearchSpace.Operations], context.SearchSpace.Nodes, context.Device);
        _net = new SearchNetwork(SearchSetup.Network(context, o, _space.Operations) with { Affine = false });
        _net.to(context.Device);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _aOptimizer = optim.Adam(_space.Parameters, o.ArchLearningRate, o.ArchBeta1, o.ArchBeta2, weight_decay: o.ArchWeightDecay);
        log.LogInformation(
            "DARTS (first order) on {Dataset} ({Train} images for W, {Valid} for alpha): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, K'={K}",
            context.Train.Name, _trainLoader.Dataset.Count, _validLoader.Dataset.Count, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs,
            _space.Operations.Count);
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
            BilevelStep.Run(_net, () => _net.SetArchitecture(_space), _space.Parameters, _aOptimizer, _weights, _wOptimizer, _o.GradClip,
                valid, train, validMetrics, trainMetrics));

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var genotype = _space.DeriveGenotype();
        Log.LogInformation("{Genotype}", genotype);
        return report with { Genotype = genotype };
    }

    protected override void SaveState(CheckpointWriter writer)
    {
        (float[] normal, float[] reduce) = _space.GetState();
        writer.SetValue(AlphaValue, new[] { normal, reduce })
            .AddModule(_net)
            .AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer)
            .AddOptimizer((OptimizerHelper)_aOptimizer, AlphaOptimizer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        try
        {
            float[][] alpha = checkpoint.Metadata.GetValue<float[][]>(AlphaValue);
            if (alpha.Length != 2) throw new ArgumentException($"expected alpha of 2 cell types, found {alpha.Length}");
            _space.LoadState(alpha[0], alpha[1]);
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            throw new CheckpointException(checkpoint.Path, $"its DARTS alpha is missing or does not fit: {ex.Message}", ex);
        }

        checkpoint.LoadModule(_net);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        checkpoint.LoadOptimizer((OptimizerHelper)_aOptimizer, AlphaOptimizer);
    }

    public SearchResult Result(TrainingOutcome outcome) => Result(outcome, _space.DeriveGenotype(), space: null);

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _aOptimizer.Dispose();
        _net.Dispose();
        _space.Dispose();
    }
}
