using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>One evaluation (training a fixed genotype's network, or a fixed model of the user's, from scratch) on the <see cref="TrainingLoop"/>.</summary>
internal sealed class EvaluationRun : TrainingLoop, IDisposable
{
    private readonly EvaluationTrainer _trainer;
    private readonly EvaluationOptions _o;
    private readonly LabelledDataset _train;
    private readonly LabelledDataset _test;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _testLoader;
    private readonly int _testSteps;
    private readonly Parameter[] _parameters;
    private readonly optim.Optimizer _optimizer;
    private bool _networkHandedOut;

    public EvaluationRun(EvaluationTrainer trainer, LabelledDataset train, LabelledDataset test, ILogger log)
        : base(trainer.Options, trainer.Device, log)
    {
        _trainer = trainer;
        _o = trainer.Options;
        _train = train;
        _test = test;
        int seed = unchecked((int)_o.Seed);
        var (augmentation, testPipeline) = train is ImageDataset images
            ? Pipelines(_o, images.Height, images.Width)
            : (AugmentationPipeline.None, AugmentationPipeline.None);
        _trainLoader = new BatchLoader(train, new BatchLoaderOptions
        {
            BatchSize = _o.BatchSize, Shuffle = true, Seed = seed, DropLast = train.Count % _o.BatchSize == 1 && train.Count > 1,
            Augmentation = augmentation, Device = trainer.Device,
        });
        _testLoader = new BatchLoader(test, new BatchLoaderOptions { BatchSize = _o.BatchSize, Shuffle = false, Augmentation = testPipeline, Device = trainer.Device });
        StepsPerEpoch = _o.MaxStepsPerEpoch is int cap ? Math.Min(cap, _trainLoader.BatchesPerEpoch) : _trainLoader.BatchesPerEpoch;
        _testSteps = _o.MaxTestSteps is int testCap ? Math.Min(testCap, _testLoader.BatchesPerEpoch) : _testLoader.BatchesPerEpoch;

        torch.random.manual_seed(_o.Seed);
        if (trainer.Genotype is null)
        {
            Model = BuildModel(trainer, train);
            Network = null;
            _optimizer = optim.SGD(_parameters = Model.parameters().ToArray(), _o.LearningRate, _o.Momentum, weight_decay: _o.WeightDecay);
            log.LogInformation(
                "Training the model {Model} on {Train} ({TrainCount} samples of {Shape}), testing on {Test} ({TestCount}): {Params:N0} parameters, batch {Batch}, {Steps} steps x {Epochs} epochs",
                Model.GetType().Name, train.Name, train.Count, string.Join("x", train.SampleShape), test.Name, test.Count, FixedModel.ParameterCount(Model),
                _o.BatchSize, StepsPerEpoch, _o.Epochs);
            return;
        }

        Network = new EvaluationNetwork(trainer.NetworkOptions(train), trainer.Genotype);
        Model = Network;
        Network.to(trainer.Device);
        _parameters = Network.parameters().ToArray();
        _optimizer = optim.SGD(_parameters, _o.LearningRate, _o.Momentum, weight_decay: _o.WeightDecay);
        log.LogInformation(
            "Evaluating the genotype on {Train} ({TrainCount} images), testing on {Test} ({TestCount}): C={C} L={L}, {Params:N0} parameters (+{Aux:N0} auxiliary), batch {Batch}, {Steps} steps x {Epochs} epochs",
            train.Name, train.Count, test.Name, test.Count, _o.Channels, _o.Layers, Network.ParameterCount, Network.AuxiliaryParameterCount, _o.BatchSize,
            StepsPerEpoch, _o.Epochs);
    }

    /// <summary>The genotype's network being trained; null for a model of the user's.</summary>
    public EvaluationNetwork? Network { get; }

    /// <summary>The model being trained (the genotype's network, or the user's model).</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    protected override string Kind => EvaluationTrainer.CheckpointKind;

    protected override int StepsPerEpoch { get; }

    protected override object? Settings => new EvaluationSettings(_trainer.Genotype, _o);

    protected override CheckpointFingerprint Fingerprint() => _trainer.Fingerprint(_train, _test, Model);

    protected override bool ShouldRunEpoch(int epoch) => epoch < _o.Epochs;

    protected override EpochPlan BeginEpoch(int epoch)
    {
        double lr = EpochLearningRate.At(_o.Schedule, epoch, _o.Epochs, _o.LearningRate, _o.LearningRateMin, _o.WarmupEpochs);
        CosineSchedule.Apply(_optimizer, lr);
        double dropPath = Network is null ? 0 : _o.DropPathProbability * epoch / _o.Epochs;
        if (Network is not null) Network.DropPathProbability = dropPath;
        Model.train();
        return new EpochPlan(TrainingPhase.Evaluate, lr, dropPath, _o.Epochs);
    }

    protected override IEpochSteps OpenSteps(int epoch, int firstStep) => new Steps(this, _trainLoader.GetEpoch(epoch, firstStep));

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        Model.eval();
        using var metrics = new RunningMetrics(Device);
        using (no_grad())
        {
            foreach (Batch batch in _testLoader.GetEpoch(0).Take(_testSteps))
            {
                using Batch b = batch;
                using var scope = NewDisposeScope();
                Tensor logits = Model.call(b.Images);
                metrics.Add(nn.functional.cross_entropy(logits, b.Labels), logits, b.Labels, topFive: true);
            }
        }

        Model.train();
        return report with { TestLoss = metrics.MeanLoss, TestAccuracy = metrics.Accuracy, TestTop5 = metrics.Top5 };
    }

    protected override void SaveState(CheckpointWriter writer) => writer.AddModule(Model).AddOptimizer((OptimizerHelper)_optimizer);

    protected override void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule(Model);
        checkpoint.LoadOptimizer((OptimizerHelper)_optimizer);
    }

    /// <summary>The result; the network now belongs to the caller.</summary>
    public EvaluationResult Result(TrainingOutcome outcome)
    {
        Model.eval();
        _networkHandedOut = true;
        EpochReport? last = outcome.History.Count > 0 ? outcome.History[^1] : null;
        ModelMetadata metadata = ModelMetadata.FromDataset(_train, _o.CropSize) with { Annotations = Annotations is { Count: > 0 } a ? a : null };
        return new EvaluationResult
        {
            Network = Network!, // null for a model of the user's: the result then reads Model
            Model = Model,
            Genotype = _trainer.Genotype!,
            Options = _o,
            TestLoss = last?.TestLoss ?? double.NaN,
            TestAccuracy = last?.TestAccuracy ?? double.NaN,
            TestTop5 = last?.TestTop5 ?? double.NaN,
            ParameterCount = Network?.ParameterCount ?? FixedModel.ParameterCount(Model),
            AuxiliaryParameterCount = Network?.AuxiliaryParameterCount ?? 0,
            History = outcome.History,
            Cancelled = outcome.Cancelled,
            CheckpointPath = outcome.CheckpointPath,
            Elapsed = outcome.Elapsed,
            Warnings = [.. Warnings],
            Metadata = Network is null ? metadata with { InputShape = InputShape(_train, _o.CropSize) } : metadata,
        };
    }

    /// <summary>
    /// The training augmentation and the test transform. CIFAR layout: padded random crops and flips (DARTS). ImageNet
    /// layout: random resized crops of <see cref="EvaluationOptions.CropSize"/> and flips for training, the central window
    /// for testing (DARTS and ISTA-NAS, whose loaders do the same on the full images). Colour jitter and cutout when set.
    /// </summary>
    internal static (AugmentationPipeline Train, AugmentationPipeline Test) Pipelines(EvaluationOptions o, int height, int width)
    {
        int? crop = o.CropSize is int c && (c != height || c != width) ? c : null;
        AugmentationPipeline test = crop is int testCrop ? new([new CenterCrop(testCrop)], []) : AugmentationPipeline.None;
        var before = new List<IBatchTransform>();
        if (!o.Augment)
        {
            if (crop is int trainCrop) before.Add(new CenterCrop(trainCrop));
        }
        else if (o.Layout == NetworkLayout.ImageNet)
        {
            before.Add(new RandomResizedCrop(o.CropSize ?? Math.Min(height, width)));
            before.Add(new RandomHorizontalFlip(0.5));
        }
        else
        {
            before.Add(new RandomCrop(4));
            before.Add(new RandomHorizontalFlip(0.5));
        }

        if (o.ColorJitter) before.Add(new ColorJitter());
        IBatchTransform[] after = o.Augment && o.Cutout ? [new Cutout(o.CutoutLength)] : [];
        return (new AugmentationPipeline(before, after), test);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        if (!_networkHandedOut) Model.Dispose();
    }

    /// <summary>The sample shape the model sees: the data's, with images cropped to the crop size when one is set.</summary>
    private static int[] InputShape(LabelledDataset data, int? crop) =>
        crop is int c && data is ImageDataset images ? [images.Channels, c, c] : [.. data.SampleShape];

    /// <summary>The user's model, on the device, checked on one sample of the data.</summary>
    private nn.Module<Tensor, Tensor> BuildModel(EvaluationTrainer trainer, LabelledDataset train)
    {
        nn.Module<Tensor, Tensor> model = trainer.ModelFactory!() ?? throw new InvalidOperationException("The model factory returned null.");
        try
        {
            model.to(trainer.Device);
            FixedModel.CheckOutput(model, InputShape(train, _o.CropSize), train.ClassCount, trainer.Device);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        if (_o.Auxiliary) Warn("Auxiliary is set, but a model of your own has no auxiliary head: it trains on the main loss only.");
        if (_o.DropPathProbability > 0) Warn($"DropPathProbability is {_o.DropPathProbability}, but drop path belongs to the DARTS cells: a model of your own trains without it.");
        if (_o.Augment && train is not ImageDataset) Warn($"Augment is set, but '{train.Name}' holds tensors: augmentation applies to images, the tensors are used as given.");
        return model;
    }

    /// <summary>The DARTS training step: SGD on the loss plus the weighted auxiliary loss, gradient clipping.</summary>
    private sealed class Steps(EvaluationRun run, IEnumerable<Batch> batches) : IEpochSteps
    {
        private readonly IEnumerator<Batch> _batches = batches.GetEnumerator();

        public void Step(RunningMetrics train, RunningMetrics valid)
        {
            if (!_batches.MoveNext()) throw new InvalidOperationException("The loader ran out of batches before the epoch's last step.");
            using Batch b = _batches.Current;
            run._optimizer.zero_grad();
            Tensor logits, loss, objective;
            using (NewDisposeScope()) // release the forward's intermediates before backward: autograd keeps what it needs
            {
                (logits, Tensor? auxiliary) = run.Network is { } network ? network.ForwardWithAuxiliary(b.Images) : (run.Model.call(b.Images), null);
                double smoothing = run._o.LabelSmoothing;
                loss = nn.functional.cross_entropy(logits, b.Labels, label_smoothing: smoothing);
                objective = auxiliary is not null && run._o.AuxiliaryWeight > 0
                    ? loss + (run._o.AuxiliaryWeight * nn.functional.cross_entropy(auxiliary, b.Labels, label_smoothing: smoothing))
                    : loss.alias();
                (logits, loss, objective) = (logits.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), objective.MoveToOuterDisposeScope());
            }

            objective.backward();
            if (run._o.GradClip > 0) nn.utils.clip_grad_norm_(run._parameters, run._o.GradClip);
            run._optimizer.step();
            train.Add(loss, logits, b.Labels);
        }

        public void Dispose() => _batches.Dispose();
    }
}
