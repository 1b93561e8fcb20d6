using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using BatchLoader = IstaNas.Data.BatchLoader;

namespace IstaNas.Strategies;

/// <summary>
/// The chance baseline on the ISTA-NAS space: genotypes of the space's sparsity s drawn uniformly (s distinct candidates
/// per node, candidate = predecessor * K + operation; see <see cref="RandomArchitectures"/>), seeded by
/// <see cref="SearchContext.Seed"/>, so that a search can be compared with chance under the same evaluation budget.
/// <para>
/// With <see cref="RandomOptions.WeightSharing"/> it is random search with weight sharing (Li and Talwalkar, 2019): the
/// two-stage super-net (non-affine BNs, BN after pools) trains W only, each step on a uniformly drawn support per node with
/// every drawn candidate weighted 1; after the last epoch <see cref="RandomOptions.Candidates"/> distinct drawn genotypes
/// are scored with the inherited weights and recalibrated BN statistics (<see cref="Training.SuperNetScoring"/>) on the
/// validation split, and the best is returned (its accuracy is the last epoch's <see cref="EpochReport.ValidAccuracy"/>;
/// the ranking is logged). Checkpoints (<c>random.ckpt</c>) and resume work as for the other strategies; the ranking
/// belongs to the last epoch, so a run cancelled while ranking continues from the epoch before.
/// </para>
/// <para>
/// Random search with weight sharing on the <see cref="TrainingLoop"/>: W-steps of the sparse two-stage super-net on a
/// uniformly drawn support per node and step (weights 1), then, as the last epoch's work, the ranking of drawn genotypes
/// by their super-net validation accuracy with recalibrated BN statistics.
/// </para>
/// </summary>
internal sealed class RandomRun : StrategyRun
{
    /// <summary>The strategy's name and checkpoint kind.</summary>
    public const string StrategyName = "random";

    private const string WeightsOptimizer = "w-optimizer";
    private const long SupportSalt = 0x5EED5;
    private const int CalibrationSeedOffset = 2;
    private static readonly CellType[] Cells = [CellType.Normal, CellType.Reduce];

    private readonly RandomOptions _o;
    private readonly CancellationToken _cancellation;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _calibrationLoader;
    private readonly BatchLoader _validLoader;
    private readonly SuperNet _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>The random baseline (<c>SearchBuilder.UseRandom</c>): this run on the DARTS cell space, <see cref="ChoiceRandomRun"/> on a model with choices.</summary>
    public static IStrategy Strategy(RandomOptions options) =>
        new BuiltInStrategy<RandomOptions>(StrategyName, options, "Random", Search, ChoiceRandomRun.Search);

    /// <summary>A seeded genotype of the DARTS cell space, or (with <see cref="RandomOptions.WeightSharing"/>) random search with weight sharing.</summary>
    public static SearchResult Search(SearchContext context, RandomOptions options, CancellationToken cancellationToken)
    {
        ILogger log = context.LoggerFactory.CreateLogger<RandomRun>();
        if (!options.WeightSharing)
        {
            var clock = Stopwatch.StartNew();
            Genotype genotype = RandomArchitectures.Draw(context.SearchSpace, context.Seed);
            log.LogInformation("Random genotype (seed {Seed}, s = {S}, no training):{NewLine}{Genotype}",
                context.Seed, context.SearchSpace.Sparsity, Environment.NewLine, genotype);
            return new SearchResult
            {
                Strategy = StrategyName, Genotype = genotype, Architecture = ChoiceArchitectures.OfGenotype(genotype, [.. context.SearchSpace.Operations]), History = [],
                Elapsed = clock.Elapsed,
            };
        }

        using var run = new RandomRun(context, options, log, cancellationToken);
        try
        {
            return run.Result(run.Run(context.ResumeFrom, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return run.CancelledWhileRanking();
        }
    }

    public RandomRun(SearchContext context, RandomOptions o, ILogger log, CancellationToken cancellation)
        : base(StrategyName, context, o, log)
    {
        _o = o;
        _cancellation = cancellation;
        TrainingData.RequireTwoClasses(context.Train, "training");
        (LabelledDataset trainSet, LabelledDataset validSet) = context.Train.Split(o.TrainPortion);
        if (trainSet.Count < o.BatchSize || validSet.Count == 0)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} images; split {o.TrainPortion:0.##}/{1 - o.TrainPortion:0.##} " +
                $"that leaves {trainSet.Count} for W (fewer than one batch of {o.BatchSize}?) and {validSet.Count} to rank the candidates.", nameof(context));
        if (RandomArchitectures.SpaceSize(context.SearchSpace) < o.Candidates)
            throw new ArgumentException(
                $"Random.Candidates = {o.Candidates} exceeds the {RandomArchitectures.SpaceSize(context.SearchSpace):0} distinct genotypes of the search space.", nameof(o));
        _trainLoader = SearchLoaders.Loader(trainSet, context, o, 0);
        _calibrationLoader = new BatchLoader(trainSet, new BatchLoaderOptions
        {
            BatchSize = o.BatchSize, Shuffle = true, Seed = unchecked((int)context.Seed + CalibrationSeedOffset), DropLast = false,
            Augmentation = AugmentationPipeline.None, Device = context.Device,
        });
        _validLoader = new BatchLoader(validSet, new BatchLoaderOptions
        {
            BatchSize = o.BatchSize, Shuffle = false, Augmentation = AugmentationPipeline.None, Device = context.Device,
        });
        StepsPerEpoch = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, _trainLoader.BatchesPerEpoch) : _trainLoader.BatchesPerEpoch;
        torch.random.manual_seed(context.Seed);
        _net = new SuperNet(SuperNets.Network(context, o, [.. context.SearchSpace.Operations]) with { Affine = false });
        _net.to(context.Device);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        log.LogInformation(
            "Random search with weight sharing on {Dataset} ({Train} images for W, {Valid} to rank): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, " +
            "s={S}, then {Candidates} candidates scored with BN statistics recalibrated on {Calibration} batches",
            context.Train.Name, trainSet.Count, validSet.Count, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs,
            context.SearchSpace.Sparsity, o.Candidates, o.CalibrationBatches);
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

    protected override IEpochSteps OpenSteps(int epoch, int firstStep) => new Steps(this, _trainLoader.GetEpoch(epoch, firstStep), epoch, firstStep);

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        if (report.Epoch < _o.Epochs) return report;
        (Genotype best, double accuracy) = Rank();
        return report with { Genotype = best, ValidAccuracy = accuracy };
    }

    protected override void SaveState(CheckpointWriter writer) => writer.AddModule(_net).AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule(_net);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
    }

    /// <summary>The result: the ranked best genotype, or (no ranking reached) the first drawn candidate, unranked.</summary>
    private SearchResult Result(TrainingOutcome outcome) =>
        Result(outcome, outcome.History.LastOrDefault(h => h.Genotype is not null)?.Genotype ?? Unranked(), space: null);

    /// <summary>The result of a run cancelled while ranking: the completed epochs before the last, the checkpoint of the epoch before.</summary>
    private SearchResult CancelledWhileRanking()
    {
        Log.LogInformation("Cancelled while ranking the candidates; a resumed run repeats the last epoch.");
        string? checkpoint = CheckpointPath is string path && File.Exists(path) ? path : null;
        return Result(new TrainingOutcome([.. History], Cancelled: true, checkpoint, _clock.Elapsed), History.LastOrDefault(h => h.Genotype is not null)?.Genotype ?? Unranked(), space: null);
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _net.Dispose();
    }

    private Genotype Unranked() => RandomArchitectures.Draw(Context.SearchSpace, Context.Seed);

    /// <summary>Scores every candidate; the best (the first drawn among equals) wins.</summary>
    private (Genotype Best, double Accuracy) Rank()
    {
        IReadOnlyList<Genotype> candidates = RandomArchitectures.DrawDistinct(Context.SearchSpace, _o.Candidates, Context.Seed);
        Genotype best = candidates[0];
        double bestAccuracy = double.NegativeInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            _cancellation.ThrowIfCancellationRequested();
            double accuracy = Score(candidates[i]);
            Log.LogInformation("Candidate {Index}/{Count}: super-net validation top1 {Accuracy:P2}{NewLine}{Genotype}",
                i + 1, candidates.Count, accuracy, Environment.NewLine, candidates[i]);
            if (accuracy > bestAccuracy) (best, bestAccuracy) = (candidates[i], accuracy);
        }

        Log.LogInformation("Best candidate: super-net validation top1 {Accuracy:P2}{NewLine}{Genotype}", bestAccuracy, Environment.NewLine, best);
        return (best, bestAccuracy);
    }

    private double Score(Genotype genotype)
    {
        IEnumerable<Batch> validation = _validLoader.GetEpoch(0);
        if (_o.MaxValidationBatches is int cap) validation = validation.Take(cap);
        return SuperNetScoring.Accuracy(_net, genotype, _calibrationLoader.GetEpoch(0).Take(_o.CalibrationBatches), validation);
    }

    /// <summary>The W-step on a uniformly drawn support; the draw depends on (seed, epoch, step) only, so a resumed run draws the same.</summary>
    private sealed class Steps(RandomRun run, IEnumerable<Batch> batches, int epoch, int firstStep) : IEpochSteps
    {
        private readonly IEnumerator<Batch> _batches = batches.GetEnumerator();
        private int _step = firstStep;

        public void Step(RunningMetrics train, RunningMetrics valid)
        {
            if (!_batches.MoveNext()) throw new InvalidOperationException("The loader ran out of batches before the epoch's last step.");
            using Batch b = _batches.Current;
            var random = DeterministicRandom.FromKeys(run.Context.Seed, SupportSalt, epoch, _step++);
            SearchSpaceOptions space = run.Context.SearchSpace;
            foreach (CellType cell in Cells)
            {
                int[][] supports = [.. Enumerable.Range(0, space.Nodes).Select(i => RandomArchitectures.Support(space.CandidateCount(i), space.Sparsity, random))];
                run._net.SetArchitecture(cell, SuperNetScoring.Weights(run._net, supports));
            }

            Gradients.Clear(run._weights);
            (Tensor logits, Tensor loss) = BilevelStep.ForwardReleasingIntermediates(run._net, b);
            loss.backward();
            if (run._o.GradClip > 0) nn.utils.clip_grad_norm_(run._weights, run._o.GradClip);
            run._wOptimizer.step();
            train.Add(loss, logits, b.Labels);
        }

        public void Dispose() => _batches.Dispose();
    }
}
