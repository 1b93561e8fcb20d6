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
/// Random search with weight sharing on a model with choices, as <see cref="RandomRun"/> does on the DARTS cell: W-steps
/// of the super-net on a uniformly drawn s-subset per choice and step (weights 1), then, as the last epoch's work, the
/// ranking of drawn architectures by their super-net validation accuracy with recalibrated BN statistics.
/// </summary>
internal sealed class ChoiceRandomRun : StrategyRun
{
    private const string WeightsOptimizer = "w-optimizer";
    private const long SupportSalt = 0x5EED5;
    private const int CalibrationSeedOffset = 2;
    private const string BestValue = "architecture";

    private readonly RandomOptions _o;
    private readonly CancellationToken _cancellation;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _calibrationLoader;
    private readonly BatchLoader _validLoader;
    private readonly ChoiceSuperNet _net;
    private readonly Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ChoiceArchitecture? _best;

    /// <summary>A seeded architecture of a model's choices, or (with <see cref="RandomOptions.WeightSharing"/>) random search with weight sharing.</summary>
    public static SearchResult Search(SearchContext context, RandomOptions options, CancellationToken cancellationToken)
    {
        ILogger log = context.LoggerFactory.CreateLogger<ChoiceRandomRun>();
        if (!options.WeightSharing)
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyList<Decision> decisions;
            using (ChoiceSuperNet net = SuperNets.ChoiceNetwork(context)) decisions = net.Decisions;
            ChoiceArchitecture architecture = ChoiceArchitectures.Draw(decisions, context.Seed);
            log.LogInformation("Random architecture (seed {Seed}, no training):{NewLine}{Architecture}", context.Seed, Environment.NewLine, architecture);
            return new SearchResult { Strategy = RandomRun.StrategyName, Architecture = architecture, History = [], Elapsed = clock.Elapsed };
        }

        using var run = new ChoiceRandomRun(context, options, log, cancellationToken);
        try
        {
            return run.Result(run.Run(context.ResumeFrom, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return run.CancelledWhileRanking();
        }
    }

    public ChoiceRandomRun(SearchContext context, RandomOptions o, ILogger log, CancellationToken cancellation)
        : base(RandomRun.StrategyName, context, o, log)
    {
        _o = o;
        _cancellation = cancellation;
        TrainingData.RequireTwoClasses(context.Train, "training");
        (LabelledDataset trainSet, LabelledDataset validSet) = context.Train.Split(o.TrainPortion);
        if (trainSet.Count < o.BatchSize || validSet.Count == 0)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} images; split {o.TrainPortion:0.##}/{1 - o.TrainPortion:0.##} " +
                $"that leaves {trainSet.Count} for W (fewer than one batch of {o.BatchSize}?) and {validSet.Count} to rank the candidates.", nameof(context));
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
        _net = SuperNets.ChoiceNetwork(context);
        SpaceDecisions = _net.Decisions;
        if (ChoiceArchitectures.SpaceSize(_net.Decisions) < o.Candidates)
        {
            _net.Dispose();
            throw new ArgumentException(
                $"Random.Candidates = {o.Candidates} exceeds the {ChoiceArchitectures.SpaceSize(SpaceDecisions):0} distinct architectures of the model's choices.", nameof(o));
        }
        _net.to(context.Device);
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        log.LogInformation(
            "Random search with weight sharing of {Choices} choices on {Dataset} ({Train} images for W, {Valid} to rank): batch {Batch}, {Steps} steps x {Epochs} epochs, " +
            "then {Candidates} candidates scored with BN statistics recalibrated on {Calibration} batches",
            _net.Decisions.Count, context.Train.Name, trainSet.Count, validSet.Count, o.BatchSize, StepsPerEpoch, o.Epochs, o.Candidates, o.CalibrationBatches);
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
        (ChoiceArchitecture best, double accuracy) = Rank();
        _best = best;
        return report with { ValidAccuracy = accuracy };
    }

    protected override void SaveState(CheckpointWriter writer)
    {
        if (_best is not null) writer.SetValue(BestValue, _best.ToJson()); // the ranking's winner, so that a finished run continued reports it
        writer.AddModule(_net).AddOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule(_net);
        checkpoint.LoadOptimizer((OptimizerHelper)_wOptimizer, WeightsOptimizer);
        try
        {
            _best = checkpoint.Metadata.TryGetValue(BestValue, out string? best) && best is not null ? ChoiceArchitecture.FromJson(best) : null;
        }
        catch (FormatException ex)
        {
            throw new CheckpointException(checkpoint.Path, $"its ranked architecture is unreadable: {ex.Message}", ex);
        }
    }

    /// <summary>The result: the ranked best architecture, or (no ranking reached) the first drawn candidate, unranked.</summary>
    private SearchResult Result(TrainingOutcome outcome) =>
        Result(outcome, null, space: null) with { Architecture = _best ?? ChoiceArchitectures.Draw(_net.Decisions, Context.Seed) };

    /// <summary>The result of a run cancelled while ranking: the completed epochs before the last, the checkpoint of the epoch before.</summary>
    private SearchResult CancelledWhileRanking()
    {
        Log.LogInformation("Cancelled while ranking the candidates; a resumed run repeats the last epoch.");
        string? checkpoint = CheckpointPath is string path && File.Exists(path) ? path : null;
        return Result(new TrainingOutcome([.. History], Cancelled: true, checkpoint, _clock.Elapsed), null, space: null)
            with
        { Architecture = ChoiceArchitectures.Draw(_net.Decisions, Context.Seed) };
    }

    public override void Dispose()
    {
        _wOptimizer.Dispose();
        _net.Dispose();
    }

    /// <summary>Scores every candidate; the best (the first drawn among equals) wins.</summary>
    private (ChoiceArchitecture Best, double Accuracy) Rank()
    {
        IReadOnlyList<ChoiceArchitecture> candidates = ChoiceArchitectures.DrawDistinct(_net.Decisions, _o.Candidates, Context.Seed);
        ChoiceArchitecture best = candidates[0];
        double bestAccuracy = double.NegativeInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            _cancellation.ThrowIfCancellationRequested();
            double accuracy = Score(candidates[i]);
            Log.LogInformation("Candidate {Index}/{Count}: super-net validation top1 {Accuracy:P2}{NewLine}{Architecture}",
                i + 1, candidates.Count, accuracy, Environment.NewLine, candidates[i]);
            if (accuracy > bestAccuracy) (best, bestAccuracy) = (candidates[i], accuracy);
        }

        Log.LogInformation("Best candidate: super-net validation top1 {Accuracy:P2}{NewLine}{Architecture}", bestAccuracy, Environment.NewLine, best);
        return (best, bestAccuracy);
    }

    /// <summary>Validation top-1 accuracy of <paramref name="architecture"/> in the trained super-net, BN statistics recalibrated first.</summary>
    private double Score(ChoiceArchitecture architecture)
    {
        bool wasTraining = _net.training;
        using var scope = NewDisposeScope(); // the architecture's weight tensors
        SetPicks(architecture.Choices.Select(c => c.Picks.ToArray()).ToArray());
        try
        {
            SuperNetScoring.Recalibrate(_net, _calibrationLoader.GetEpoch(0).Take(_o.CalibrationBatches));
            _net.eval();
            IEnumerable<Batch> validation = _validLoader.GetEpoch(0);
            if (_o.MaxValidationBatches is int cap) validation = validation.Take(cap);
            long correct = 0, seen = 0;
            using (no_grad())
            {
                foreach (Batch batch in validation)
                {
                    using Batch b = batch;
                    using var step = NewDisposeScope();
                    correct += _net.forward(b.Images).argmax(1).eq(b.Labels).sum().item<long>();
                    seen += b.Count;
                }
            }
            return seen == 0 ? 0 : (double)correct / seen;
        }
        finally
        {
            _net.train(wasTraining);
        }
    }

    /// <summary>Runs the given candidates of every choice with weight 1 (the tensors go to the caller's dispose scope).</summary>
    private void SetPicks(IReadOnlyList<int[]> supports)
    {
        Device device = _weights[0].device;
        _net.SetWeights([.. supports.Select(s => new NodeWeights(s, ones(s.Length, dtype: float32, device: device)))]);
    }

    /// <summary>The W-step on a uniformly drawn support per choice; the draw depends on (seed, epoch, step) only, so a resumed run draws the same.</summary>
    private sealed class Steps(ChoiceRandomRun run, IEnumerable<Batch> batches, int epoch, int firstStep) : IEpochSteps
    {
        private readonly IEnumerator<Batch> _batches = batches.GetEnumerator();
        private int _step = firstStep;

        public void Step(RunningMetrics train, RunningMetrics valid)
        {
            if (!_batches.MoveNext()) throw new InvalidOperationException("The loader ran out of batches before the epoch's last step.");
            using Batch b = _batches.Current;
            var random = DeterministicRandom.FromKeys(run.Context.Seed, SupportSalt, epoch, _step++);
            run.SetPicks([.. run._net.Decisions.Select(d => RandomArchitectures.Support(d.Count, d.Picks, random))]);

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
