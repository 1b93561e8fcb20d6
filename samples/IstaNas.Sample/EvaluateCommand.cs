using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Evaluation;
using IstaNas.Strategies;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using TorchSharp;

namespace IstaNas.Sample;

/// <summary>The <c>evaluate</c> command: train a genotype from scratch (DARTS protocol) and report its test accuracy.</summary>
internal static class EvaluateCommand
{
    private const string PaperSettings = "--channels 36 --layers 20 --epochs 600 --batch-size 96 (cutout 16, drop path 0.2, auxiliary 0.4)";

    private static readonly Option<string> GenotypeOption = new("--genotype", "-g")
    {
        Description = $"A genotype JSON file or a built-in name ({string.Join(", ", KnownGenotypes.Names)}).",
        Required = true,
    };

    private static readonly Option<string> DataOption = new("--data", "-d") { Description = "Data: " + EvaluationData.Help + ".", DefaultValueFactory = _ => "synthetic" };

    private static readonly Option<int> Epochs = new("--epochs", "-e") { Description = "Training epochs (the paper: 600).", DefaultValueFactory = _ => 5 };

    private static readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Minibatch size (the paper: 96).", DefaultValueFactory = _ => 32 };

    private static readonly Option<int> Channels = new("--channels", "-C") { Description = "Initial channels C (the paper: 36).", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> Layers = new("--layers", "-L") { Description = "Cells L (the paper: 20).", DefaultValueFactory = _ => 5 };

    private static readonly Option<double> LearningRate = new("--learning-rate", "--lr") { Description = "Initial SGD learning rate, cosine to 0.", DefaultValueFactory = _ => 0.025 };

    private static readonly Option<bool> Auxiliary = new("--auxiliary") { Description = "Auxiliary head with weight 0.4 (default on; needs 32x32 images)." };

    private static readonly Option<bool> NoAuxiliary = new("--no-auxiliary") { Description = "Train without the auxiliary head." };

    private static readonly Option<int> Cutout = new("--cutout") { Description = "Cutout square side; 0 disables (the paper: 16).", DefaultValueFactory = _ => 16 };

    private static readonly Option<double> DropPath = new("--drop-path") { Description = "Final drop-path probability, rising linearly from 0 (the paper: 0.2).", DefaultValueFactory = _ => 0.2 };

    private static readonly Option<bool> OneStageBatchNorm = new("--one-stage-bn") { Description = "BN after pools and skips: the network form of one-stage ISTA-NAS." };

    private static readonly Option<int?> StepsPerEpoch = new("--steps-per-epoch") { Description = "Cap on training minibatches per epoch (default: the whole training set)." };

    private static readonly Option<int?> TestSteps = new("--test-steps") { Description = "Cap on test minibatches per evaluation (default: the whole test set)." };

    private static readonly Option<string> Device = CommonOptions.Device();

    private static readonly Option<int> Threads = CommonOptions.Threads();

    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the weights, drop path, data order and augmentation.", DefaultValueFactory = _ => 0 };

    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Output directory (default runs/evaluate-<time>; with --resume, the checkpoint's folder)." };

    private static readonly Option<string?> Resume = new("--resume") { Description = "Continue the run saved in this evaluation.ckpt (same genotype, options, data and seed)." };

    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the final test accuracy." };

    private static readonly Option<bool> JsonLog = CommonOptions.Json();

    private static readonly FolderOptions Folder = new();

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("evaluate",
            "Train a genotype from scratch with the DARTS protocol; write model.ckpt, genotype.json, network.json, history.csv/json and result.json. " +
            $"The defaults are sized for a 2-core CPU; the paper's settings are {PaperSettings}.");
        foreach (Option o in new Option[]
                 {
                     GenotypeOption, DataOption, Epochs, BatchSize, Channels, Layers, LearningRate, Auxiliary, NoAuxiliary, Cutout, DropPath, OneStageBatchNorm,
                     StepsPerEpoch, TestSteps, Device, Threads, Seed, Output, Resume, Quiet, JsonLog,
                 })
            command.Options.Add(o);
        foreach (Option o in Folder.All)
            command.Options.Add(o);
        command.SetAction(RunAsync);
        return command;
    }

    /// <summary>Runs an evaluation as the parsed options say; returns the exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken) =>
        Task.FromResult(CommandErrors.Guard(() => Run(parse, cancellationToken)));

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        bool quiet = p.GetValue(Quiet), json = p.GetValue(JsonLog);
        if (p.GetValue(Auxiliary) && p.GetValue(NoAuxiliary))
            throw new ArgumentException("--auxiliary and --no-auxiliary exclude each other.");
        int cutout = p.GetValue(Cutout);
        if (cutout < 0) throw new ArgumentException($"--cutout must be 0 (off) or a positive side, not {cutout}.");
        Genotype genotype = LoadGenotype(p.GetValue(GenotypeOption)!);
        torch.Device device = ParseDevice(p.GetValue(Device)!);
        int threads = CommonOptions.CheckThreads(p.GetValue(Threads));
        string? resume = p.GetValue(Resume);
        IstaNas.Checkpoints.Checkpoint? checkpoint = null;
        if (resume is not null)
        {
            checkpoint = IstaNas.Checkpoints.Checkpoint.Load(resume); // fail before any output
            checkpoint.EnsureKind(EvaluationTrainer.CheckpointKind);
        }
        string output = p.GetValue(Output)
            ?? (resume is not null ? Path.GetDirectoryName(Path.GetFullPath(resume))! : Path.Combine("runs", $"evaluate-{DateTime.Now:yyyyMMdd-HHmmss}"));
        int seed = p.GetValue(Seed);

        var options = new EvaluationOptions
        {
            Epochs = p.GetValue(Epochs),
            BatchSize = p.GetValue(BatchSize),
            Channels = p.GetValue(Channels),
            Layers = p.GetValue(Layers),
            LearningRate = p.GetValue(LearningRate),
            Auxiliary = !p.GetValue(NoAuxiliary),
            Cutout = cutout > 0,
            CutoutLength = Math.Max(cutout, 1),
            DropPathProbability = p.GetValue(DropPath),
            BatchNormAfterParameterFree = p.GetValue(OneStageBatchNorm),
            MaxStepsPerEpoch = p.GetValue(StepsPerEpoch),
            MaxTestSteps = p.GetValue(TestSteps),
            Seed = seed,
            CheckpointDirectory = output,
        };
        OptionsValidation.Validate(options, "evaluate");
        string data = p.GetValue(DataOption)!;
        var (train, test) = EvaluationData.Load(data, seed, Folder.Read(p, data), DataWarnings.Instance.CreateLogger(typeof(Data.ImageFolder).FullName!));
        checkpoint?.EnsureFingerprint(new EvaluationTrainer(genotype, options).Fingerprint(train, test));
        Directory.CreateDirectory(output);
        CommonOptions.ApplyThreads(threads);

        using var fileLog = new FileLoggerProvider(Path.Combine(output, "evaluate.log"));
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddProvider(fileLog).SetMinimumLevel(LogLevel.Information));
        var console = new RunConsole(quiet, json, options.Epochs);
        var trainer = new EvaluationTrainer(genotype, options, device, loggers.CreateLogger<EvaluationTrainer>())
        {
            StepProgress = new InlineProgress<StepReport>(console.Step),
        };
        if (!quiet && !json)
        {
            AnsiConsole.MarkupLine(
                $"[bold]IstaNas[/] evaluate on [green]{Markup.Escape(train.Name)}[/] ({train.Count} training, {test.Count} test images, {train.ClassCount} classes): " +
                $"C={options.Channels} L={options.Layers} batch {options.BatchSize}, {options.Epochs} epochs; output: {Markup.Escape(output)}");
            AnsiConsole.MarkupLine($"[grey]Small settings for a CPU; the paper's are {Markup.Escape(PaperSettings)}.[/]");
            AnsiConsole.WriteLine(genotype.ToString());
        }

        var progress = new InlineProgress<EpochReport>(console.Epoch);
        EvaluationResult result = console.Run(() => resume is null
            ? trainer.Train(train, test, progress, cancellationToken)
            : trainer.Resume(resume, train, test, progress, cancellationToken));
        using var network = result.Network;
        IReadOnlyList<string> files = result.Cancelled ? [] : Write(output, result);
        Summary(result, files, quiet, json);
        return result.Cancelled ? 130 : 0;
    }

    private static Genotype LoadGenotype(string value)
    {
        if (KnownGenotypes.TryGet(value, out Genotype? known)) return known;
        if (File.Exists(value)) return Genotype.Load(value);
        throw new ArgumentException($"--genotype '{value}' is neither a file nor a built-in genotype ({string.Join(", ", KnownGenotypes.Names)}).");
    }

    private static torch.Device ParseDevice(string device)
    {
        if (device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
            throw new ArgumentException($"--device {device}: CUDA is not available in this process (CPU build of TorchSharp or no GPU).");
        try
        {
            return new torch.Device(device);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"--device '{device}' is not a device; use cpu, cuda or cuda:N.", ex);
        }
    }

    private static IReadOnlyList<string> Write(string output, EvaluationResult result)
    {
        var files = new List<string>(result.Save(output));
        string Add(string name)
        {
            string path = Path.Combine(output, name);
            files.Add(path);
            return path;
        }

        AtomicFile.WriteAllText(Add("genotype.txt"), result.Genotype + Environment.NewLine);
        var csv = new StringBuilder("epoch,lr,train_loss,train_acc,test_loss,test_acc,test_top5,seconds\n");
        foreach (EpochReport r in result.History)
            csv.Append(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.LearningRate:R},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.ValidLoss:R},{r.ValidAccuracy:R},{r.ValidTop5:R},{r.Elapsed.TotalSeconds:R}\n");
        AtomicFile.WriteAllText(Add("history.csv"), csv.ToString());
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Add("history.json"), JsonSerializer.Serialize(result.History.Select(History), indented));
        AtomicFile.WriteAllText(Add("result.json"), JsonSerializer.Serialize(SummaryObject(result), indented));
        return files;
    }

    private static Dictionary<string, object?> History(EpochReport r)
    {
        var o = ResultWriter.ToJsonObject(r);
        o["test_top5"] = double.IsFinite(r.ValidTop5) ? r.ValidTop5 : null;
        return o;
    }

    private static Dictionary<string, object?> SummaryObject(EvaluationResult result) => new()
    {
        ["epochs"] = result.EpochsCompleted,
        ["cancelled"] = result.Cancelled,
        ["test_loss"] = double.IsFinite(result.TestLoss) ? result.TestLoss : null,
        ["test_acc"] = double.IsFinite(result.TestAccuracy) ? result.TestAccuracy : null,
        ["test_top5"] = double.IsFinite(result.TestTop5) ? result.TestTop5 : null,
        ["parameters"] = result.ParameterCount,
        ["auxiliary_parameters"] = result.AuxiliaryParameterCount,
        ["seconds"] = result.Elapsed.TotalSeconds,
        ["genotype"] = JsonDocument.Parse(result.Genotype.ToJson()).RootElement,
    };

    private static void Summary(EvaluationResult result, IReadOnlyList<string> files, bool quiet, bool json)
    {
        if (json)
        {
            var summary = SummaryObject(result);
            summary["done"] = true;
            summary["checkpoint"] = result.CheckpointPath;
            summary["files"] = files;
            Console.Out.WriteLine(JsonSerializer.Serialize(summary));
            return;
        }

        string accuracy = string.Create(CultureInfo.InvariantCulture,
            $"test top-1 {result.TestAccuracy:P2} (error {1 - result.TestAccuracy:P2}), top-5 {result.TestTop5:P2}");
        if (quiet)
        {
            Console.Out.WriteLine(accuracy);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Evaluation");
        foreach (string c in new[] { "epoch", "lr", "train loss", "train top1", "test loss", "test top1", "test top5", "s" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (EpochReport r in result.History)
            table.AddRow(r.Epoch.ToString(CultureInfo.InvariantCulture), $"{r.LearningRate:0.00000}", $"{r.TrainLoss:0.000}", $"{r.TrainAccuracy:P1}",
                $"{r.ValidLoss:0.000}", $"{r.ValidAccuracy:P1}", $"{r.ValidTop5:P1}", $"{r.Elapsed.TotalSeconds:0.0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(
            $"{accuracy}; {result.ParameterCount / 1e6:0.###} M parameters (+{result.AuxiliaryParameterCount / 1e6:0.###} M auxiliary head)"));
        if (result.Cancelled)
            AnsiConsole.MarkupLine($"[yellow]Cancelled[/]; continue with --resume {Markup.Escape(result.CheckpointPath ?? "(no checkpoint)")}");
        else
            AnsiConsole.MarkupLine($"Wrote {files.Count} files in {Markup.Escape(Path.GetDirectoryName(Path.GetFullPath(files[0])) ?? ".")} ({result.Elapsed.TotalMinutes:0.0} min).");
    }
}
