using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IstaNas.Evaluation;
using IstaNas.IO;
using IstaNas.Quality;
using IstaNas.Strategies;
using IstaNas.Training;
using IstaNas.Visualization;

namespace IstaNas.Cli;

/// <summary>
/// The <c>consistency</c> command: does the super-net rank architectures as training them alone does? Trains (or takes)
/// a super-net, scores sampled architectures in it with BN statistics recalibrated, trains each alone under a small
/// budget, and reports Kendall's tau and Spearman's rho with a scatter plot.
/// </summary>
internal static class ConsistencyCommand
{
    private static readonly string[] SuperNetStrategies = ["random", "two-stage", "darts"];

    private static readonly Option<string> DataOption = new("--data", "-d") { Description = "Data: " + EvaluationData.Help + ".", DefaultValueFactory = _ => "synthetic" };

    private static readonly Option<string?> SuperNet = new("--supernet")
    {
        Description = "Take the super-net of this search checkpoint (two-stage.ckpt, darts.ckpt or random.ckpt of a --weight-sharing run, trained on the same --data) " +
                      "instead of training one.",
    };

    private static readonly Option<string> SuperNetStrategy = new("--supernet-strategy")
    {
        Description = "Train the super-net with: random (weight sharing, the default: its training covers every candidate), two-stage or darts " +
                      "(a sparse ISTA-NAS super-net trains only the candidates it selected).",
        DefaultValueFactory = _ => "random",
    };

    private static readonly Option<int> Epochs = new("--epochs", "-e") { Description = "Super-net training epochs.", DefaultValueFactory = _ => 10 };

    private static readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Super-net minibatch size.", DefaultValueFactory = _ => 32 };

    private static readonly Option<int> Channels = new("--channels", "-C") { Description = "Super-net channels C.", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> Layers = new("--layers", "-L") { Description = "Super-net cells L, at least 3.", DefaultValueFactory = _ => 5 };

    private static readonly Option<int?> StepsPerEpoch = new("--steps-per-epoch") { Description = "Cap on super-net minibatches per epoch." };

    private static readonly Option<int> Architectures = new("--architectures", "-n") { Description = "Architectures sampled and trained alone.", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> CalibrationBatches = new("--calibration-batches")
    {
        Description = "Training batches that recalibrate the super-net's BN statistics before each score.",
        DefaultValueFactory = _ => 10,
    };

    private static readonly Option<int?> ValidationBatches = new("--validation-batches") { Description = "Cap on validation batches per super-net score (default: the whole split)." };

    private static readonly Option<int> EvalEpochs = new("--eval-epochs") { Description = "Stand-alone training epochs of every architecture.", DefaultValueFactory = _ => 3 };

    private static readonly Option<int> EvalBatchSize = new("--eval-batch-size") { Description = "Stand-alone minibatch size.", DefaultValueFactory = _ => 32 };

    private static readonly Option<int> EvalChannels = new("--eval-channels") { Description = "Stand-alone channels C.", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> EvalLayers = new("--eval-layers") { Description = "Stand-alone cells L, at least 3.", DefaultValueFactory = _ => 5 };

    private static readonly Option<int?> EvalStepsPerEpoch = new("--eval-steps-per-epoch") { Description = "Cap on stand-alone training minibatches per epoch." };

    private static readonly Option<int?> EvalTestSteps = new("--eval-test-steps") { Description = "Cap on stand-alone test minibatches." };

    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the super-net, the architecture sample and the stand-alone runs.", DefaultValueFactory = _ => 0 };

    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "Output directory (default runs/consistency-<time>). Run the same command again on it to continue: the super-net, the finished " +
                      "stand-alone runs and the one under way are kept.",
    };

    private static readonly FolderOptions Folder = new();

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("consistency",
        "Ranking consistency (the paper's Table 2, BN recalibrated): score sampled architectures in a super-net, train each alone, report Kendall's tau " +
        "and Spearman's rho; write consistency.json/.csv/.png, the super-net folder and one folder per stand-alone run.",
        [
            DataOption, SuperNet, SuperNetStrategy, Epochs, BatchSize, Channels, Layers, StepsPerEpoch, Architectures, CalibrationBatches, ValidationBatches,
            EvalEpochs, EvalBatchSize, EvalChannels, EvalLayers, EvalStepsPerEpoch, EvalTestSteps, Seed, Output, .. Folder.All, .. CommonOptions.All,
        ],
        Run);

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        var common = CommonOptions.Read(p);
        string strategy = p.GetValue(SuperNetStrategy)!.Trim().ToLowerInvariant();
        if (!SuperNetStrategies.Contains(strategy))
            throw new ArgumentException($"--supernet-strategy '{strategy}' is not known; use random, two-stage or darts (one-stage super-nets cannot be scored).");
        string? given = p.GetValue(SuperNet);
        if (given is not null && !File.Exists(given)) throw new ArgumentException($"--supernet '{given}' does not exist.");
        foreach (Option<int> o in new[] { Epochs, BatchSize, Channels, Architectures, CalibrationBatches, EvalEpochs, EvalBatchSize, EvalChannels })
            if (p.GetValue(o) < 1) throw new ArgumentException($"{o.Name} must be positive, not {p.GetValue(o)}.");
        if (p.GetValue(Architectures) < 2) throw new ArgumentException($"--architectures must be at least 2 to rank anything, not {p.GetValue(Architectures)}.");
        foreach (Option<int?> o in new[] { StepsPerEpoch, ValidationBatches, EvalStepsPerEpoch, EvalTestSteps })
            if (p.GetValue(o) is int n && n < 1) throw new ArgumentException($"{o.Name} must be positive, not {n}.");
        int seed = p.GetValue(Seed);
        string dataSpec = p.GetValue(DataOption)!;
        var options = new ConsistencyOptions
        {
            Architectures = p.GetValue(Architectures),
            Seed = seed,
            CalibrationBatches = p.GetValue(CalibrationBatches),
            MaxValidationBatches = p.GetValue(ValidationBatches),
            ScoringBatchSize = p.GetValue(BatchSize),
            StandAlone = new EvaluationOptions
            {
                Epochs = p.GetValue(EvalEpochs), BatchSize = p.GetValue(EvalBatchSize), Channels = p.GetValue(EvalChannels), Layers = p.GetValue(EvalLayers),
                MaxStepsPerEpoch = p.GetValue(EvalStepsPerEpoch), MaxTestSteps = p.GetValue(EvalTestSteps), Auxiliary = false, Cutout = false,
                DropPathProbability = 0, Seed = seed,
            },
        };

        Data.ImageFolderOptions folder = Folder.Read(p, dataSpec);
        var (train, test) = EvaluationData.Load(dataSpec, seed, folder, DataWarnings.Instance.CreateLogger(typeof(Data.ImageDataset).FullName!));
        string output = p.GetValue(Output) ?? Path.Combine("runs", $"consistency-{DateTime.Now:yyyyMMdd-HHmmss}");
        using var run = RunOutput.Open(output, "consistency.log");
        common.ApplyRuntime(run);
        var console = new QualityConsole(common.Quiet, common.Json);
        bool cancelled = false;
        string checkpoint = given ?? TrainSuperNet(p, strategy, dataSpec, train, run, common, console, cancellationToken, out cancelled);
        if (cancelled)
        {
            console.Result("Cancelled while training the super-net; run the same command again to continue.");
            return 130;
        }

        options.WorkDirectory = Path.Combine(run.Directory, "standalone");
        console.Line($"Scoring {options.Architectures} architectures in the super-net {checkpoint} and training each alone " +
                     $"(C={options.StandAlone.Channels} L={options.StandAlone.Layers}, {options.StandAlone.Epochs} epochs)...");
        var study = new ConsistencyStudy(options, common.TorchDevice, run.Loggers)
        {
            Progress = new InlineProgress<ConsistencyPoint>(point =>
            {
                console.Line(string.Create(CultureInfo.InvariantCulture,
                    $"architecture {point.Index + 1}/{options.Architectures}: super-net {point.SuperNetAccuracy:P1}, stand-alone {point.StandAloneAccuracy:P1}"));
                console.Event("point", new JsonObject
                {
                    ["index"] = point.Index,
                    ["superNetAccuracy"] = point.SuperNetAccuracy,
                    ["standAloneAccuracy"] = point.StandAloneAccuracy,
                    ["parameterCount"] = point.ParameterCount,
                    ["genotype"] = JsonSerializer.SerializeToNode(point.Genotype, JsonFormat.Compact),
                });
            }),
        };
        ConsistencyResult result = study.Run(checkpoint, train, test, cancellationToken);
        SavedFiles saved = result.Save(run.Directory);
        SavedFiles picture = QualityPictures.Write(run.Directory, result);
        string[] files = [.. saved.Written, .. picture.Written, run.LogPath];
        FileFailure[] failed = [.. saved.Failed, .. picture.Failed];
        console.Event("done", new JsonObject
        {
            ["command"] = "consistency",
            ["cancelled"] = result.Cancelled,
            ["architectures"] = result.Points.Count,
            ["kendallTau"] = JsonSerializer.SerializeToNode(result.KendallTau, JsonFormat.Compact),
            ["spearmanRho"] = JsonSerializer.SerializeToNode(result.SpearmanRho, JsonFormat.Compact),
            ["superNet"] = result.SuperNetCheckpoint,
            ["elapsedSeconds"] = result.Elapsed.TotalSeconds,
            ["files"] = JsonSerializer.SerializeToNode(files),
            ["failedFiles"] = JsonSerializer.SerializeToNode(failed, JsonFormat.Compact),
        });
        console.Result(string.Create(CultureInfo.InvariantCulture,
            $"Kendall tau {Format(result.KendallTau)}, Spearman rho {Format(result.SpearmanRho)} over {result.Points.Count} architectures " +
            $"({result.SuperNetStrategy} super-net, {result.SuperNetEpochs} epochs){(result.Cancelled ? "; cancelled: run the same command again to continue" : string.Empty)}"));
        console.Line($"Wrote {files.Length} files in {run.Directory}: {string.Join(", ", files.Select(Path.GetFileName))}");
        QualityConsole.Failures(failed);
        return result.Cancelled ? 130 : failed.Length == 0 ? 0 : 1;
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Trains the super-net in <c>OUTPUT/supernet</c>, or continues the one there; returns its checkpoint.</summary>
    private static string TrainSuperNet(ParseResult p, string strategy, string dataSpec, Data.ImageDataset train, RunOutput run, CommonOptions.Values common,
        QualityConsole console, CancellationToken cancellationToken, out bool cancelled)
    {
        string folder = Path.Combine(run.Directory, "supernet");
        string checkpoint = Path.Combine(folder, strategy + ".ckpt");
        string? other = SuperNetStrategies.Where(s => s != strategy).Select(s => Path.Combine(folder, s + ".ckpt")).FirstOrDefault(File.Exists);
        if (other is not null)
            throw new ArgumentException($"'{folder}' holds a {Path.GetFileNameWithoutExtension(other)} super-net, not {strategy}; give --supernet-strategy " +
                                        $"{Path.GetFileNameWithoutExtension(other)} or another --output.");
        var builder = new SearchBuilder().UseDataset(train).UseDevice(common.Device).UseLogging(run.Loggers).Annotate("data", dataSpec)
            .Annotate("dataSeed", p.GetValue(Seed).ToString(CultureInfo.InvariantCulture));
        if (File.Exists(checkpoint))
        {
            console.Line($"Continuing the super-net in {folder}.");
            builder.ContinueFrom(checkpoint);
        }
        else
        {
            void Configure(TrainingOptions o)
            {
                o.Epochs = p.GetValue(Epochs);
                o.BatchSize = p.GetValue(BatchSize);
                o.Channels = p.GetValue(Channels);
                o.Layers = p.GetValue(Layers);
                o.MaxStepsPerEpoch = p.GetValue(StepsPerEpoch);
                o.CheckpointDirectory = folder;
            }

            builder.UseSeed(p.GetValue(Seed));
            _ = strategy switch
            {
                "two-stage" => builder.UseTwoStage(Configure),
                "darts" => builder.UseDarts(Configure),
                _ => builder.UseRandom(o =>
                {
                    Configure(o);
                    o.WeightSharing = true;
                    o.Candidates = 1; // the study scores its own sample; the run's ranking is not needed
                    o.CalibrationBatches = 1;
                }),
            };
        }

        var runConsole = new RunConsole(quiet: true, json: false);
        builder.WithProgress(new InlineProgress<EpochReport>(r => console.Line(string.Create(CultureInfo.InvariantCulture,
            $"super-net ({strategy}) epoch {r.Epoch}/{r.Epochs}: train loss {r.TrainLoss:0.000}, top1 {r.TrainAccuracy:P1} ({r.Elapsed.TotalSeconds:0.0} s)"))));
        Search search = builder.Build();
        console.Line($"Training the {strategy} super-net on {train.Name} ({train.Count} images) in {folder}...");
        SearchResult result = runConsole.Run(() => search.Run(cancellationToken));
        using (result.Network)
        {
            SavedFiles saved = result.Save(folder);
            QualityConsole.Failures(saved.Failed);
        }

        cancelled = result.Cancelled;
        if (!cancelled && !File.Exists(checkpoint))
            throw new IOException($"The super-net's checkpoint '{checkpoint}' could not be written; see {run.LogPath}.");
        return checkpoint;
    }
}
