using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// A first-order bilevel search on the <see cref="TrainingLoop"/> (two-stage ISTA-NAS and the DARTS baseline): the
/// training set split in two, a non-affine super-net, SGD on W with a cosine schedule, Adam on the architecture
/// parameters, one architecture step and one weight step per minibatch pair. A subclass supplies the search space and
/// the super-net (the DARTS cell super-net, or the super-net of a model with choices), its per-epoch work and its state.
/// </summary>
internal abstract class BilevelRun : StrategyRun
{

    private readonly TrainingOptions _o;
    private readonly ArchitectureOptimizerOptions _architectureOptions;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _validLoader;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private optim.Optimizer? _architectureOptimizer;
    private Func<IReadOnlyList<NodeWeights>>? _architectureWeights;
    private IReadOnlyList<Parameter> _architecture = [];
    private readonly bool _clipArchitecture;
    private readonly bool _zeroFillWeights;

    /// <summary>
    /// Splits the data, seeds torch's generator and builds the super-net (a subclass then calls <see cref="UseSearchSpace"/>).
    /// <c>clipArchitecture</c> counts the architecture gradient in the clip of W, <c>zeroFillWeights</c> zeroes W's gradients
    /// in place instead of dropping them (see <see cref="BilevelStep.Run"/>).
    /// </summary>
    protected BilevelRun(string kind, SearchContext context, TrainingOptions o, ArchitectureOptimizerOptions architecture, double trainPortion, string architectureName,
        ILogger log, bool clipArchitecture = false, bool zeroFillWeights = false)
        : base(kind, context, o, log)
    {
        _o = o;
        _architectureOptions = architecture;
        _clipArchitecture = clipArchitecture;
        _zeroFillWeights = zeroFillWeights;
        (_trainLoader, _validLoader, StepsPerEpoch) = SearchLoaders.BilevelLoaders(context, o, trainPortion, architectureName);
        torch.random.manual_seed(context.Seed);
        Module = CreateSpaceAndNetwork();
        Net = (ISuperNet)Module;
        Module.to(context.Device);
        _weights = Net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
    }

    /// <summary>The super-net.</summary>
    protected ISuperNet Net { get; }

    /// <summary>The super-net as a module (training mode, checkpoints).</summary>
    protected nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Images that train W.</summary>
    protected int TrainImages => _trainLoader.Dataset.Count;

    /// <summary>Images that train the architecture.</summary>
    protected int ValidImages => _validLoader.Dataset.Count;

    protected sealed override int StepsPerEpoch { get; }

    /// <summary>Name of the architecture optimiser's checkpoint section.</summary>
    protected abstract string ArchitectureOptimizerSection { get; }

    /// <summary>
    /// Creates the search space and the super-net after torch's generator was seeded (the DARTS cell space: the space
    /// first, then the network, the order that fixes the random draws; a model with choices: the network first, since
    /// its choices are the space's decisions).
    /// </summary>
    /// <returns>The super-net, a module that implements <see cref="ISuperNet"/>.</returns>
    protected abstract nn.Module<Tensor, Tensor> CreateSpaceAndNetwork();

    /// <summary>The non-affine DARTS cell super-net of the context's data with <paramref name="operations"/>.</summary>
    protected SuperNet CellSuperNet(IReadOnlyList<string> operations) => new(SuperNets.Network(Context, _o, operations) with { Affine = false });

    /// <summary>Hands the search space's architecture weights and parameters to the run and creates their Adam optimiser.</summary>
    /// <param name="weights">The weights of every decision of <see cref="Net"/>, recomputed at each call.</param>
    /// <param name="parameters">The architecture parameters.</param>
    protected void UseSearchSpace(Func<IReadOnlyList<NodeWeights>> weights, IReadOnlyList<Parameter> parameters)
    {
        _architectureWeights = weights;
        _architecture = parameters;
        _architectureOptimizer = optim.Adam(parameters, _architectureOptions.LearningRate, _architectureOptions.Beta1, _architectureOptions.Beta2, weight_decay: _architectureOptions.WeightDecay);
    }

    protected sealed override bool ShouldRunEpoch(int epoch) => epoch < _o.Epochs;

    protected sealed override EpochPlan BeginEpoch(int epoch)
    {
        double lr = CosineSchedule.At(epoch, _o.Epochs, _o.LearningRate, _o.LearningRateMin);
        CosineSchedule.Apply(_wOptimizer, lr);
        Module.train();
        return new EpochPlan(TrainingPhase.Search, lr, 0, _o.Epochs);
    }

    protected sealed override IEpochSteps OpenSteps(int epoch, int firstStep) =>
        new BilevelEpoch(_trainLoader.GetEpoch(epoch, firstStep), _validLoader.GetEpoch(epoch, firstStep), (train, valid, trainMetrics, validMetrics) =>
            BilevelStep.Run(Net, () => Net.SetWeights(_architectureWeights!()), _architecture, _architectureOptimizer!, _weights, _wOptimizer, _o.GradClip,
                _clipArchitecture, _zeroFillWeights, valid, train, validMetrics, trainMetrics));

    protected override void SaveState(CheckpointWriter writer)
    {
        SaveHeldGradients(writer, _weights, _zeroFillWeights);
        writer
            .AddModule(Module)
            .AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer)
            .AddOptimizer((OptimizerHelper)_architectureOptimizer!, ArchitectureOptimizerSection);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule(Module);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        checkpoint.LoadOptimizer((OptimizerHelper)_architectureOptimizer!, ArchitectureOptimizerSection);
        RestoreHeldGradients(checkpoint, _weights, _zeroFillWeights);
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _architectureOptimizer?.Dispose();
        Module.Dispose();
    }
}
