using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using BatchLoader = IstaNas.Data.BatchLoader;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

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
/// by their super-net validation accuracy with recalibrated BN statistics. On a model with choices
/// (<c>SearchBuilder.UseSpace</c>) the same run draws an s-subset per choice; what differs between the two spaces is a
/// <see cref="RandomSpace"/> (<see cref="RandomCellSpace"/>, <see cref="RandomChoiceSpace"/>).
/// </para>
/// </summary>
internal sealed class RandomRun : StrategyRun
{
    /// <summary>The strategy's name and checkpoint kind.</summary>
    public const string StrategyName = "random";

    private const long SupportSalt = 0x5EED5;
    private const int CalibrationSeedOffset = 2;

    private readonly RandomOptions _o;
    private readonly BatchLoader _trainLoader;
    private readonly CandidateRanking _ranking;
    private readonly RandomSpace _target;
    private readonly ISuperNet _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>The random baseline (<c>SearchBuilder.UseRandom</c>): this run, on the DARTS cell space or a model with choices.</summary>
    public static IStrategy Strategy(RandomOptions options) => new BuiltInStrategy<RandomOptions>(StrategyName, options, "Random", Search);

    /// <summary>A seeded genotype (or architecture of a model's choices), or (with <see cref="RandomOptions.WeightSharing"/>) random search with weight sharing.</summary>
    public static SearchResult Search(SearchContext context, RandomOptions options, CancellationToken cancellationToken)
    {
        ILogger log = context.LoggerFactory.CreateLogger<RandomRun>();
        if (!options.WeightSharing)
            return context.HasChoiceSpace ? RandomChoiceSpace.Draw(context, log) : RandomCellSpace.Draw(context, log);

        using var run = new RandomRun(context, options, log, cancellationToken);
        try
        {
            return run.Result(run.Run(context.ResumeFrom, cancellationToken), cancelledWhileRanking: false);
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
        TrainingData.RequireTwoClasses(context.Train, "training");
        (LabelledDataset trainSet, LabelledDataset validSet) = context.Train.Split(o.TrainPortion);
        if (trainSet.Count < o.BatchSize || validSet.Count == 0)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} images; split {o.TrainPortion:0.##}/{1 - o.TrainPortion:0.##} " +
                $"that leaves {trainSet.Count} for W (fewer than one batch of {o.BatchSize}?) and {validSet.Count} to rank the candidates.", nameof(context));
        if (!context.HasChoiceSpace) RandomCellSpace.Check(context, o);
        _trainLoader = SearchLoaders.Loader(trainSet, context, o, 0);
        _ranking = new CandidateRanking(
            new BatchLoader(trainSet, new BatchLoaderOptions
            {
                BatchSize = o.BatchSize, Shuffle = true, Seed = unchecked((int)context.Seed + CalibrationSeedOffset), DropLast = false,
                Augmentation = AugmentationPipeline.None, Device = context.Device,
            }),
            new BatchLoader(validSet, new BatchLoaderOptions
            {
                BatchSize = o.BatchSize, Shuffle = false, Augmentation = AugmentationPipeline.None, Device = context.Device,
            }),
            o, cancellation);
        StepsPerEpoch = o.MaxStepsPerEpoch is int cap ? Math.Min(cap, _trainLoader.BatchesPerEpoch) : _trainLoader.BatchesPerEpoch;
        torch.random.manual_seed(context.Seed);
        _target = context.HasChoiceSpace ? new RandomChoiceSpace(context, o) : new RandomCellSpace(context, o);
        _net = _target.Net;
        SpaceDecisions = _target.FingerprintDecisions;
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _target.LogStart(log, context, o, trainSet.Count, validSet.Count, StepsPerEpoch);
    }

    protected override int StepsPerEpoch { get; }

    protected override bool ShouldRunEpoch(int epoch) => epoch < _o.Epochs;

    protected override EpochPlan BeginEpoch(int epoch)
    {
        double lr = CosineSchedule.At(epoch, _o.Epochs, _o.LearningRate, _o.LearningRateMin);
        CosineSchedule.Apply(_wOptimizer, lr);
        _net.Module.train();
        return new EpochPlan(TrainingPhase.Search, lr, 0, _o.Epochs);
    }

    protected override IEpochSteps OpenSteps(int epoch, int firstStep) => new Steps(this, _trainLoader.GetEpoch(epoch, firstStep), epoch, firstStep);

    protected override EpochReport FinishEpoch(EpochReport report) => report.Epoch < _o.Epochs ? report : _target.Rank(report, _ranking, Log);

    protected override void SaveState(CheckpointWriter writer)
    {
        _target.SaveState(writer);
        writer.AddModule(_net.Module).AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule(_net.Module);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        _target.LoadState(checkpoint);
    }

    /// <summary>The result: the ranked best, or (no ranking reached) the first drawn candidate, unranked.</summary>
    private SearchResult Result(TrainingOutcome outcome, bool cancelledWhileRanking)
    {
        (Genotype? genotype, ChoiceArchitecture? architecture) = _target.Best(outcome.History, cancelledWhileRanking);
        SearchResult result = Result(outcome, genotype, space: null);
        return architecture is null ? result : result with { Architecture = architecture };
    }

    /// <summary>The result of a run cancelled while ranking: the completed epochs before the last, the checkpoint of the epoch before.</summary>
    private SearchResult CancelledWhileRanking()
    {
        Log.LogInformation("Cancelled while ranking the candidates; a resumed run repeats the last epoch.");
        string? checkpoint = CheckpointPath is string path && File.Exists(path) ? path : null;
        return Result(new TrainingOutcome([.. History], Cancelled: true, checkpoint, _clock.Elapsed), cancelledWhileRanking: true);
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _target.Dispose();
    }

    /// <summary>The W-step on a uniformly drawn support per decision; the draw depends on (seed, epoch, step) only, so a resumed run draws the same.</summary>
    private sealed class Steps(RandomRun run, IEnumerable<Batch> batches, int epoch, int firstStep) : IEpochSteps
    {
        private readonly IEnumerator<Batch> _batches = batches.GetEnumerator();
        private int _step = firstStep;

        public void Step(RunningMetrics train, RunningMetrics valid)
        {
            if (!_batches.MoveNext()) throw new InvalidOperationException("The loader ran out of batches before the epoch's last step.");
            using Batch b = _batches.Current;
            run._target.DrawSupports(DeterministicRandom.FromKeys(run.Context.Seed, SupportSalt, epoch, _step++));

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
