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
/// parameters, one architecture step and one weight step per minibatch pair. A subclass supplies the search space
/// (through <see cref="IArchitectureSource"/>), its per-epoch work and its state.
/// </summary>
internal abstract class BilevelRun : SearchRun
{
    private const string WeightsOptimizer = "w-optimizer";
    private const string WeightGradients = "w-gradients";

    private readonly TrainingOptions _o;
    private readonly ArchitectureOptimizerOptions _architectureOptions;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _validLoader;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private optim.Optimizer? _architectureOptimizer;
    private IArchitectureSource? _space;
    private IReadOnlyList<Parameter> _architecture = [];
    private readonly bool _clipArchitecture;
    private readonly bool _zeroFillWeights;

    /// <summary>
    /// Splits the data, seeds torch's generator and builds the super-net (a subclass then calls <see cref="UseSearchSpace"/>).
    /// <c>clipArchitecture</c> counts the architecture gradient in the clip of W, <c>zeroFillWeights</c> zeroes W's gradients
    /// in place instead of dropping them (see <see cref="BilevelStep.Run"/>).
    /// </summary>
    protected BilevelRun(string kind, SearchContext context, TrainingOptions o, ArchitectureOptimizerOptions architecture, double trainPortion, string architectureName,
        Func<IReadOnlyList<string>> operations, ILogger log, bool clipArchitecture = false, bool zeroFillWeights = false)
        : base(kind, context, o, log)
    {
        _o = o;
        _architectureOptions = architecture;
        _clipArchitecture = clipArchitecture;
        _zeroFillWeights = zeroFillWeights;
        (_trainLoader, _validLoader, StepsPerEpoch) = SearchSetup.BilevelLoaders(context, o, trainPortion, architectureName);
        torch.random.manual_seed(context.Seed);
        BeforeNetwork();
        Net = new SuperNet(SearchSetup.Network(context, o, operations()) with { Affine = false });
        Net.to(context.Device);
        _weights = Net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
    }

    /// <summary>The super-net.</summary>
    protected SuperNet Net { get; }

    /// <summary>Images that train W.</summary>
    protected int TrainImages => _trainLoader.Dataset.Count;

    /// <summary>Images that train the architecture.</summary>
    protected int ValidImages => _validLoader.Dataset.Count;

    protected sealed override int StepsPerEpoch { get; }

    /// <summary>Name of the architecture optimiser's checkpoint section.</summary>
    protected abstract string ArchitectureOptimizerSection { get; }

    /// <summary>Creates the search space after torch's generator was seeded, before the network (the order fixes the random draws).</summary>
    protected abstract void BeforeNetwork();

    /// <summary>Hands the search space and its parameters to the run and creates their Adam optimiser.</summary>
    protected void UseSearchSpace(IArchitectureSource space, IReadOnlyList<Parameter> parameters)
    {
        _space = space;
        _architecture = parameters;
        _architectureOptimizer = optim.Adam(parameters, _architectureOptions.LearningRate, _architectureOptions.Beta1, _architectureOptions.Beta2, weight_decay: _architectureOptions.WeightDecay);
    }

    protected sealed override bool ShouldRunEpoch(int epoch) => epoch < _o.Epochs;

    protected sealed override EpochPlan BeginEpoch(int epoch)
    {
        double lr = CosineSchedule.At(epoch, _o.Epochs, _o.LearningRate, _o.LearningRateMin);
        CosineSchedule.Apply(_wOptimizer, lr);
        Net.train();
        return new EpochPlan(TrainingPhase.Search, lr, 0, _o.Epochs);
    }

    protected sealed override IEpochSteps OpenSteps(int epoch, int firstStep) =>
        new BilevelEpoch(_trainLoader.GetEpoch(epoch, firstStep), _validLoader.GetEpoch(epoch, firstStep), (train, valid, trainMetrics, validMetrics) =>
            BilevelStep.Run(Net, () => Net.SetArchitecture(_space!), _architecture, _architectureOptimizer!, _weights, _wOptimizer, _o.GradClip,
                _clipArchitecture, _zeroFillWeights, valid, train, validMetrics, trainMetrics));

    protected override void SaveState(CheckpointWriter writer)
    {
        // With zero-filled gradients, which weights hold one decides which SGD steps: a resumed run must step the same.
        if (_zeroFillWeights) writer.SetValue(WeightGradients, Gradients.Held(_weights));
        writer
            .AddModule(Net)
            .AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer)
            .AddOptimizer((OptimizerHelper)_architectureOptimizer!, ArchitectureOptimizerSection);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule(Net);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        checkpoint.LoadOptimizer((OptimizerHelper)_architectureOptimizer!, ArchitectureOptimizerSection);
        if (_zeroFillWeights && checkpoint.Metadata.TryGetValue(WeightGradients, out int[]? held)) Gradients.Restore(_weights, held!);
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _architectureOptimizer?.Dispose();
        Net.Dispose();
    }
}
