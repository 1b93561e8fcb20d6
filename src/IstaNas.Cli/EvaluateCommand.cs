using System.CommandLine;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Training;
using IstaNas.Visualization;

namespace IstaNas.Cli;

/// <summary>The <c>evaluate</c> command: train a genotype from scratch (DARTS protocol) and report its test accuracy.</summary>
internal static class EvaluateCommand
{
    private const string PaperSettings = "--channels 36 --layers 20 --epochs 600 --batch-size 96 (cutout 16, drop path 0.2, auxiliary 0.4)";

    private const string CifarCommand = "iboing/ISTA-NAS main_evaluation.sh: python ./tools/evaluation.py --auxiliary --cutout --arch $1 (DARTS' cnn/train.py protocol)";

    private const string ImageNetCommand = "iboing/ISTA-NAS tools/evaluation_imagenet.py (its argparse defaults, after PC-DARTS)";

    private const string ImageNetPaperSettings =
        "--channels 48 --layers 14 --epochs 250 --batch-size 1024 (lr 0.5 linear with 5 warm-up epochs, label smoothing 0.1, auxiliary 0.4, 224 crops of 256 images)";

    private static readonly Option<string?> Protocol = new("--protocol")
    {
        Description = "cifar (DARTS' CIFAR network and training) or imagenet (DARTS' ImageNet network and the authors' ImageNet training: linear learning rate " +
                      "with warm-up, label smoothing 0.1, random resized 224 crops with colour jitter, images read at 256 x 256). Default: imagenet for " +
                      "--genotype ista_imagenet, cifar otherwise.",
    };

    private static readonly Option<string?> Preset = new("--preset")
    {
        Description = "paper: the network and epoch sizes the authors published instead of the CPU-sized defaults: cifar, their main_evaluation.sh " +
                      "(tools/evaluation.py --auxiliary --cutout: C=36 L=20, 600 epochs, batch 96, DARTS' train.py protocol); imagenet, tools/evaluation_imagenet.py " +
                      "(C=48 L=14, 250 epochs, batch 1024). nb201 (with --space nb201): the NAS-Bench-201 training (200 epochs, batch 256, lr 0.1 cosine to 0, " +
                      "momentum 0.9, weight decay 5e-4, no clipping, flip and crop with padding 4, no cutout; the trainer's SGD has no Nesterov, which the " +
                      "benchmark uses). Options given explicitly override it.",
    };

    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the effective settings and exit without training or writing anything." };

    private static readonly Option<int?> CropSize = new("--crop-size")
    {
        Description = "With --protocol imagenet: side of the crops the network sees (default 224; --image-size, default 256 then, must be at least as large).",
    };

    private static readonly Option<string?> GenotypeOption = new("--genotype", "-g")
    {
        Description = $"A genotype file (JSON, or DARTS form: Genotype(normal=[...], ...)) or a built-in name ({string.Join(", ", Genotype.KnownNames)}). " +
                      "Required unless --resume is given.",
    };

    private static readonly Option<string> DataOption = new("--data", "-d") { Description = "Data: " + EvaluationData.Help + ".", DefaultValueFactory = _ => "synthetic" };

    private static readonly Option<int> Epochs = new("--epochs", "-e")
    {
        Description = "Training epochs (the paper: 600). With --resume, a larger value extends the run (the cosine schedule is recomputed for the new total).",
        DefaultValueFactory = _ => 5,
    };

    private static readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Minibatch size (the paper: 96).", DefaultValueFactory = _ => 32 };

    private static readonly Option<int> Channels = new("--channels", "-C") { Description = "Initial channels C (the paper: 36).", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> Layers = new("--layers", "-L") { Description = "Cells L, at least 3 (the paper: 20).", DefaultValueFactory = _ => 5 };

    private static readonly Option<double> LearningRate = new("--learning-rate", "--lr") { Description = "Initial SGD learning rate, cosine to 0.", DefaultValueFactory = _ => 0.025 };

    private static readonly Option<bool> NoAuxiliary = new("--no-auxiliary") { Description = "Train without the auxiliary head (on by default, weight 0.4; needs 32x32 images)." };

    private static readonly Option<int> Cutout = new("--cutout") { Description = "Cutout square side; 0 disables (the paper: 16).", DefaultValueFactory = _ => 16 };

    private static readonly Option<double> DropPath = new("--drop-path") { Description = "Final drop-path probability, rising linearly from 0 (the paper: 0.2).", DefaultValueFactory = _ => 0.2 };

    private static readonly Option<bool> OneStageBatchNorm = new("--one-stage-bn") { Description = "BN after pools and skips: the network form of one-stage ISTA-NAS." };

    private static readonly Option<int?> StepsPerEpoch = new("--steps-per-epoch") { Description = "Cap on training minibatches per epoch (default: the whole training set)." };

    private static readonly Option<int?> TestSteps = new("--test-steps") { Description = "Cap on test minibatches per evaluation (default: the whole test set)." };

    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the weights, drop path, data order and augmentation.", DefaultValueFactory = _ => 0 };

    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Output directory (default runs/evaluate-<time>; with --resume, the checkpoint's folder)." };

    private static readonly FolderOptions Folder = new();

    private static readonly Option<string?> Resume = new("--resume")
    {
        Description = "Continue the run saved in this evaluation.ckpt with the genotype, options and data stored in it (give --epochs to extend it).",
    };

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("evaluate",
        "Train a genotype from scratch with the DARTS protocol; write model.ckpt, genotype.json, network.json, history.csv/.json, result.json, the checkpoint " +
        $"and plots. The defaults are sized for a 2-core CPU; the paper's settings are {PaperSettings}.",
        [
            GenotypeOption, DataOption, Protocol, Preset, DryRun, CropSize, Epochs, BatchSize, Channels, Layers, LearningRate, NoAuxiliary, Cutout, DropPath, OneStageBatchNorm,
            StepsPerEpoch, TestSteps, Seed, Output, Resume, SpaceEvaluation.Space, SpaceEvaluation.ArchitectureOption, .. Folder.All, TensorBoardOption.Option,
            .. CommonOptions.All,
        ],
        Run);

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        var common = CommonOptions.Read(p);
        string? resume = p.GetValue(Resume);
        bool Given(Option option) => resume is null || p.GetResult(option) is { Implicit: false };
        int cutout = p.GetValue(Cutout);
        if (Given(Cutout) && cutout < 0) throw new ArgumentException($"--cutout must be 0 (off) or a positive side, not {cutout}.");
        bool explicitlyGiven(Option option) => p.GetResult(option) is { Implicit: false };
        string? protocolName = p.GetValue(Protocol)?.Trim().ToLowerInvariant();
        if (protocolName is not (null or "cifar" or "imagenet"))
            throw new ArgumentException($"--protocol must be cifar or imagenet, not '{p.GetValue(Protocol)}'.");
        if (resume is not null && protocolName is not null)
            throw new ArgumentException("--protocol and --resume exclude each other: the checkpoint holds its protocol.");
        string? presetName = p.GetValue(Preset)?.Trim().ToLowerInvariant();
        if (presetName is not (null or SearchPreset.Paper or "nb201"))
            throw new ArgumentException($"--preset '{p.GetValue(Preset)}' is not known; use {SearchPreset.Paper} (DARTS networks) or nb201 (--space nb201).");
        if (presetName is not null && resume is not null)
            throw new ArgumentException("--preset and --resume exclude each other: the checkpoint holds its settings.");
        bool paper = presetName == SearchPreset.Paper;
        // With the preset the sizes of EvaluationOptions.Cifar10() / ImageNet() stand unless given; without, the CLI's small defaults apply.
        bool Sized(Option option) => paper ? explicitlyGiven(option) : Given(option);
        string? genotypeName = p.GetValue(GenotypeOption);
        bool imageNet = protocolName == "imagenet" || (protocolName is null && genotypeName is not null && Genotype.TryGetKnown(genotypeName, out Genotype? g) &&
                                                        g == Genotype.IstaImageNet);
        if (explicitlyGiven(CropSize) && !imageNet && resume is null)
            throw new ArgumentException("--crop-size applies to --protocol imagenet only.");
        void Configure(EvaluationOptions o)
        {
            // The ImageNet preset has its own learning rate, cutout and drop path: the CIFAR defaults of those options apply to cifar only.
            bool cifarDefaults = o.Layout == NetworkLayout.Cifar;
            if (Sized(Epochs)) o.Epochs = p.GetValue(Epochs);
            if (Sized(BatchSize)) o.BatchSize = p.GetValue(BatchSize);
            if (Sized(Channels)) o.Channels = p.GetValue(Channels);
            if (Sized(Layers)) o.Layers = p.GetValue(Layers);
            if (cifarDefaults ? Given(LearningRate) : explicitlyGiven(LearningRate)) o.LearningRate = p.GetValue(LearningRate);
            if (Given(NoAuxiliary)) o.Auxiliary = !p.GetValue(NoAuxiliary);
            if (cifarDefaults ? Given(Cutout) : explicitlyGiven(Cutout))
            {
                o.Cutout = cutout > 0;
                o.CutoutLength = Math.Max(cutout, 1);
            }

            if (explicitlyGiven(CropSize)) o.CropSize = p.GetValue(CropSize);
            if (cifarDefaults ? Given(DropPath) : explicitlyGiven(DropPath)) o.DropPathProbability = p.GetValue(DropPath);
            if (Given(OneStageBatchNorm)) o.BatchNormAfterParameterFree = p.GetValue(OneStageBatchNorm);
            if (Given(StepsPerEpoch)) o.MaxStepsPerEpoch = p.GetValue(StepsPerEpoch);
            if (Given(TestSteps)) o.MaxTestSteps = p.GetValue(TestSteps);
            if (Given(Seed)) o.Seed = p.GetValue(Seed);
        }

        string dataSpec = p.GetValue(DataOption)!;
        IReadOnlyDictionary<string, string>? stored = null;
        string space = SpaceOption.Read(p.GetValue(SpaceEvaluation.Space)!);
        if (resume is not null && SpaceEvaluation.StoredSpace(CheckpointInfo.Read(resume).Annotations) is string storedSpace)
        {
            if (explicitlyGiven(SpaceEvaluation.Space) && storedSpace != space)
                throw new ArgumentException($"--resume '{resume}' trained a {storedSpace} network, not {space}.");
            space = storedSpace;
        }
        if (space != "darts")
            return RunSpace(p, common, space, resume, dataSpec, Configure, cancellationToken);
        if (explicitlyGiven(SpaceEvaluation.ArchitectureOption))
            throw new ArgumentException("--architecture applies to --space macro or nb201; a DARTS network is given by --genotype.");
        if (presetName == "nb201")
            throw new ArgumentException("--preset nb201 applies to --space nb201; a DARTS network takes --preset paper.");
        EvaluationTrainer planned; // checked before any output folder exists
        if (resume is not null)
        {
            if (p.GetResult(GenotypeOption) is { Implicit: false })
                throw new ArgumentException("--genotype and --resume exclude each other: the checkpoint holds its genotype.");
            planned = EvaluationTrainer.FromCheckpoint(resume, Configure);
            stored = CheckpointInfo.Read(resume).Annotations;
            if (!Given(DataOption))
                dataSpec = stored.GetValueOrDefault("data") ?? throw new ArgumentException($"--resume '{resume}' does not say which data it used; give --data.");
        }
        else
        {
            string genotype = genotypeName
                ?? throw new ArgumentException($"--genotype is required (a genotype JSON file or one of {string.Join(", ", Genotype.KnownNames)}), unless --resume is given.");
            EvaluationOptions options = imageNet ? EvaluationOptions.ImageNet() : EvaluationOptions.Cifar10();
            Configure(options);
            planned = new EvaluationTrainer(LoadGenotype(genotype), options);
        }

        bool imageNetRun = planned.Options.Layout == NetworkLayout.ImageNet;
        if (p.GetValue(DryRun))
        {
            if (paper) Console.WriteLine($"preset {presetName}: {(imageNetRun ? ImageNetCommand : CifarCommand)}");
            Console.WriteLine(Settings(planned.Options));
            return 0;
        }

        // The ImageNet protocol reads images as torchvision's Resize(256) + CenterCrop(256) and crops 224 from them.
        Data.ImageFolderOptions folder = Folder.Read(p, dataSpec, stored, imageNetRun ? (256, true) : null);
        var (train, test) = EvaluationData.Load(dataSpec, unchecked((int)planned.Options.Seed), folder,
            DataWarnings.Instance.CreateLogger(typeof(Data.ImageDataset).FullName!));
        if (planned.Options.CropSize is int crop && (train.Height < crop || train.Width < crop))
            throw new ArgumentException(
                $"--protocol imagenet crops {crop} x {crop} from the images, but '{train.Name}' has {train.Height} x {train.Width} images: use --data folder:DIR " +
                "(read at 256 x 256 by default, or --image-size N) or a smaller --crop-size.");
        string output = p.GetValue(Output)
            ?? (resume is not null ? Path.GetDirectoryName(Path.GetFullPath(resume))! : Path.Combine("runs", $"evaluate-{DateTime.Now:yyyyMMdd-HHmmss}"));
        using var run = RunOutput.Open(output, "evaluate.log");
        common.ApplyRuntime(run);
        planned.Options.CheckpointDirectory = run.Directory;
        var console = new RunConsole(common.Quiet, common.Json);
        var trainer = new EvaluationTrainer(planned.Genotype!, planned.Options, common.TorchDevice, run.Loggers.CreateLogger("IstaNas.Evaluation"))
        {
            StepProgress = new InlineProgress<StepReport>(console.Step),
            Annotations = new Dictionary<string, string>(Folder.Annotations) { ["data"] = dataSpec },
        };
        EvaluationOptions o = trainer.Options;
        console.Header($"evaluate on {train.Name} ({train.Count} training, {test.Count} test images, {train.ClassCount} classes): " +
                       $"C={o.Channels} L={o.Layers} batch {o.BatchSize}, {o.Epochs} epochs; output: {run.Directory}");
        string sizes = paper ? "the paper's sizes (--preset paper)" : "small settings for a CPU, the paper's are " + (imageNetRun ? ImageNetPaperSettings : PaperSettings);
        console.Line(imageNetRun
            ? $"ImageNet protocol (DARTS' ImageNet network, crops of {o.CropSize ?? train.Height}); {sizes}."
            : $"CIFAR protocol; {sizes}.");
        if (paper) console.Line($"preset {presetName}: {(imageNetRun ? ImageNetCommand : CifarCommand)}");
        console.Line(Settings(o));
        console.Line(trainer.Genotype!.ToString());

        EvaluationResult result = Train(p, run, console, trainer, resume, (train, test), cancellationToken);
        using var network = result.Network;
        SavedFiles saved = result.Save(run.Directory);
        SavedFiles pictures = RunPictures.Write(run.Directory, result);
        var files = new List<string>([.. saved.Written, .. pictures.Written]);
        if (result.CheckpointPath is string checkpoint) files.Add(checkpoint);
        files.Add(run.LogPath);
        console.EvaluationSummary(result, files, [.. saved.Failed, .. pictures.Failed]);
        return result.Cancelled ? 130 : saved.AllWritten && pictures.AllWritten ? 0 : 1;
    }

    /// <summary>The effective settings of an evaluation in one line.</summary>
    private static string Settings(EvaluationOptions o)
    {
        static string N(double value) => value.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
        return $"settings: {o.Layout.ToString().ToLowerInvariant()} network C={o.Channels} L={o.Layers} batch {o.BatchSize}, {o.Epochs} epochs; SGD lr {N(o.LearningRate)} " +
               $"{o.Schedule.ToString().ToLowerInvariant()}{(o.Schedule == LearningRateSchedule.Cosine ? $" to {N(o.LearningRateMin)}" : "")}" +
               $"{(o.WarmupEpochs > 0 ? $" after {o.WarmupEpochs} warm-up epochs" : "")}, momentum {N(o.Momentum)}, weight decay {N(o.WeightDecay)}, grad clip {N(o.GradClip)}; " +
               $"auxiliary {(o.Auxiliary ? N(o.AuxiliaryWeight) : "off")}, cutout {(o.Cutout ? N(o.CutoutLength) : "off")}, drop path {N(o.DropPathProbability)}, " +
               $"label smoothing {N(o.LabelSmoothing)}; BN after pools and skips {(o.BatchNormAfterParameterFree ? "on" : "off")}; seed {o.Seed}";

    }

    /// <summary>evaluate --space macro|nb201: the benchmark's network of --architecture, trained as a model of your own.</summary>
    private static int RunSpace(ParseResult p, CommonOptions.Values common, string space, string? resume, string dataSpec, Action<EvaluationOptions> configure,
        CancellationToken cancellationToken)
    {
        bool explicitlyGiven(Option option) => p.GetResult(option) is { Implicit: false };
        foreach (Option given in new Option[] { GenotypeOption, Protocol, CropSize, OneStageBatchNorm, NoAuxiliary, DropPath })
            if (explicitlyGiven(given))
                throw new ArgumentException($"{given.Name} applies to a DARTS network (--space darts), not to --space {space}.");
        if (space == "macro" && (explicitlyGiven(Channels) || explicitlyGiven(Layers)))
            throw new ArgumentException("--channels and --layers size the DARTS network; NAS-Bench-Macro's network has fixed widths and 8 layers.");
        if (UserSpace.IsSpec(space) && (explicitlyGiven(Channels) || explicitlyGiven(Layers)))
            throw new ArgumentException($"--channels and --layers size the DARTS network; {UserSpace.Label(space)} sizes itself.");
        string? preset = p.GetValue(Preset)?.Trim().ToLowerInvariant();
        if (preset is not null && (preset != "nb201" || space != "nb201"))
            throw new ArgumentException($"--preset '{p.GetValue(Preset)}' does not apply to --space {space}; --preset nb201 applies to --space nb201 (paper is the authors' DARTS recipe).");

        IReadOnlyDictionary<string, string>? stored = null;
        EvaluationOptions options;
        string architecture;
        int channels, cells;
        if (resume is not null)
        {
            if (explicitlyGiven(SpaceEvaluation.ArchitectureOption) || preset is not null)
                throw new ArgumentException("--architecture and --preset exclude --resume: the checkpoint holds them.");
            stored = CheckpointInfo.Read(resume).Annotations;
            architecture = stored.GetValueOrDefault("architecture") ?? throw new ArgumentException($"--resume '{resume}' does not record its architecture.");
            channels = int.Parse(stored.GetValueOrDefault("nb201Channels") ?? "16", System.Globalization.CultureInfo.InvariantCulture);
            cells = int.Parse(stored.GetValueOrDefault("nb201Cells") ?? "5", System.Globalization.CultureInfo.InvariantCulture);
            if (!explicitlyGiven(DataOption))
                dataSpec = stored.GetValueOrDefault("data") ?? throw new ArgumentException($"--resume '{resume}' does not say which data it used; give --data.");
            options = EvaluationTrainer.ForModelFromCheckpoint(resume, () => throw new InvalidOperationException("not built"), configure).Options;
        }
        else
        {
            architecture = SpaceEvaluation.ReadArchitecture(p.GetValue(SpaceEvaluation.ArchitectureOption)
                ?? throw new ArgumentException($"--space {space} needs --architecture ({SpaceEvaluation.ArchitectureHint(space)})."), space);
            channels = explicitlyGiven(Channels) ? p.GetValue(Channels) : 16;
            cells = explicitlyGiven(Layers) ? p.GetValue(Layers) : 5;
            options = new EvaluationOptions();
            configure(options);
            if (preset == "nb201")
            {
                SpaceEvaluation.ApplyPreset(options);
                if (explicitlyGiven(Epochs)) options.Epochs = p.GetValue(Epochs);
                if (explicitlyGiven(BatchSize)) options.BatchSize = p.GetValue(BatchSize);
                if (explicitlyGiven(LearningRate)) options.LearningRate = p.GetValue(LearningRate);
                if (explicitlyGiven(Cutout)) options.Cutout = p.GetValue(Cutout) > 0;
            }
            options.Auxiliary = false;
            options.DropPathProbability = 0;
        }

        // --channels and --layers are the NAS-Bench-201 network's C and N here, not the DARTS network's options.
        var defaults = new EvaluationOptions();
        options.Channels = defaults.Channels;
        options.Layers = defaults.Layers;

        SpaceEvaluation.Network(space, architecture, 10, channels, cells); // checks the architecture before any output exists
        Data.ImageFolderOptions folder = Folder.Read(p, dataSpec, stored);
        var (train, test) = EvaluationData.Load(dataSpec, unchecked((int)options.Seed), folder, DataWarnings.Instance.CreateLogger(typeof(Data.ImageDataset).FullName!));
        string output = p.GetValue(Output)
            ?? (resume is not null ? Path.GetDirectoryName(Path.GetFullPath(resume))! : Path.Combine("runs", $"evaluate-{(UserSpace.IsSpec(space) ? "own" : space)}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        using var run = RunOutput.Open(output, "evaluate.log");
        common.ApplyRuntime(run);
        options.CheckpointDirectory = run.Directory;
        var console = new RunConsole(common.Quiet, common.Json);
        var annotations = SpaceEvaluation.Annotations(space, architecture, train.ClassCount, channels, cells);
        foreach (var (key, value) in Folder.Annotations) annotations[key] = value;
        annotations["data"] = dataSpec;
        var trainer = EvaluationTrainer.ForModel(SpaceEvaluation.Network(space, architecture, train.ClassCount, channels, cells), options, common.TorchDevice,
            run.Loggers.CreateLogger("IstaNas.Evaluation"));
        trainer.StepProgress = new InlineProgress<StepReport>(console.Step);
        trainer.Annotations = annotations;
        EvaluationOptions o = trainer.Options;
        console.Header($"evaluate {SpaceEvaluation.Describe(space, architecture)} on {train.Name} ({train.Count} training, {test.Count} test images, " +
                       $"{train.ClassCount} classes): batch {o.BatchSize}, {o.Epochs} epochs; output: {run.Directory}");
        EvaluationResult result = Train(p, run, console, trainer, resume, (train, test), cancellationToken);
        using var model = result.Model;
        SavedFiles saved = result.Save(run.Directory);
        var files = new List<string>(saved.Written);
        if (result.CheckpointPath is string checkpoint) files.Add(checkpoint);
        files.Add(run.LogPath);
        console.EvaluationSummary(result, files, saved.Failed);
        return result.Cancelled ? 130 : saved.AllWritten ? 0 : 1;
    }

    /// <summary>Trains (or resumes) with the console's epoch lines and, with --tensorboard, its scalars.</summary>
    private static EvaluationResult Train(ParseResult p, RunOutput run, RunConsole console, EvaluationTrainer trainer, string? resume,
        (Data.LabelledDataset Train, Data.LabelledDataset Test) data, CancellationToken cancellationToken)
    {
        using TensorBoardProgress? tensorBoard = TensorBoardOption.Open(p, run.Loggers);
        IProgress<EpochReport> progress = TensorBoardOption.Chain(console.Epoch, () => tensorBoard);
        return console.Run(() => resume is null
            ? trainer.Train(data.Train, data.Test, progress, cancellationToken)
            : trainer.Resume(resume, data.Train, data.Test, progress, cancellationToken));
    }

    private static Genotype LoadGenotype(string value)
    {
        if (Genotype.TryGetKnown(value, out Genotype? known)) return known;
        if (File.Exists(value)) return Genotype.Load(value);
        throw new ArgumentException($"--genotype '{value}' is neither a file nor a built-in genotype ({string.Join(", ", Genotype.KnownNames)}).");
    }

}
