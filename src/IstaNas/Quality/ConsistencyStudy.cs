using System.Diagnostics;
using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.IO;
using IstaNas.Strategies;
using IstaNas.Training;
using IstaNas.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;
using BatchLoader = IstaNas.Data.BatchLoader;

namespace IstaNas.Quality;

/// <summary>
/// Does the super-net rank architectures as training them alone does? The question of the ISTA-NAS paper's Table 2,
/// with the BN statistics recalibrated as its reviewers asked. <see cref="ConsistencyOptions.Architectures"/> distinct
/// architectures of the super-net's space are drawn uniformly (seeded); each is scored in the trained super-net
/// (<see cref="SuperNetScoring"/>: its candidates with weight 1 and inherited weights, BN statistics recalibrated on
/// batches of the super-net's W split, top-1 on its validation split, which W never trained on), and trained from
/// scratch with <see cref="EvaluationTrainer"/> under the same small budget (test top-1). The result holds every point
/// and the rank correlations of the two accuracies (Kendall's tau-b, Spearman's rho).
/// <para>
/// The super-net comes from a search checkpoint: random search with weight sharing trains every candidate (each step a
/// uniform support), two-stage ISTA-NAS and DARTS only what their architecture weights favoured; a sparse ISTA-NAS
/// super-net trains only the candidates it selected, which is what the paper's consistency claim is about.
/// </para>
/// </summary>
public sealed class ConsistencyStudy
{
    private const string PointFile = "standalone.json";
    private const int CalibrationSeed = 0xCA11B;

    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;

    /// <summary>Creates a study.</summary>
    /// <param name="options">The settings; validated here (a copy is kept).</param>
    /// <param name="device">Where the networks run; null for the CPU.</param>
    /// <param name="loggerFactory">Receives the study's and the stand-alone trainers' logs; null for none.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public ConsistencyStudy(ConsistencyOptions options, Device? device = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.Validate(options, "Consistency");
        Options = OptionsCopy.Of(options);
        Device = device ?? CPU;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _log = _loggers.CreateLogger<ConsistencyStudy>();
    }

    /// <summary>The settings.</summary>
    public ConsistencyOptions Options { get; }

    /// <summary>The device.</summary>
    public Device Device { get; }

    /// <summary>Receives every point as soon as it is finished; null for none.</summary>
    public IProgress<ConsistencyPoint>? Progress { get; init; }

    /// <summary>Receives the epochs of the stand-alone training runs; null for none.</summary>
    public IProgress<EpochReport>? StandAloneProgress { get; init; }

    /// <summary>Test seam: replaces the stand-alone training by (index, genotype, super-net accuracy) => accuracy.</summary>
    internal Func<int, Genotype, double, double>? StandAloneOverride { get; init; }

    /// <summary>Runs the study on the super-net saved in <paramref name="superNetCheckpoint"/>.</summary>
    /// <param name="superNetCheckpoint">A two-stage, DARTS or random (weight-sharing) search checkpoint.</param>
    /// <param name="train">The training set the super-net trained on (checked against the checkpoint); the stand-alone runs train on all of it.</param>
    /// <param name="test">The test set of the stand-alone runs.</param>
    /// <param name="cancellationToken">Stops at the next stand-alone step (its checkpoint is kept when <see cref="ConsistencyOptions.WorkDirectory"/> is set).</param>
    /// <returns>The points finished and the rank correlations.</returns>
    /// <exception cref="CheckpointException">The checkpoint is not a search checkpoint of a scorable super-net on this data.</exception>
    /// <exception cref="ArgumentException">The data or the space do not fit (stand-alone networks need s = 2; too few images for a split or a batch).</exception>
    public ConsistencyResult Run(string superNetCheckpoint, ImageDataset train, ImageDataset test, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var clock = Stopwatch.StartNew();
        using SuperNetCheckpoint superNet = SuperNetCheckpoint.Load(superNetCheckpoint, train, Device);
        if (superNet.SearchSpace.Sparsity != 2)
            throw new ArgumentException(
                $"The super-net's space has s = {superNet.SearchSpace.Sparsity}; stand-alone (DARTS) networks have exactly 2 inputs per node, so a consistency study needs s = 2.");
        (ImageDataset wSplit, ImageDataset validSplit) = train.Split(superNet.TrainPortion);
        if (wSplit.Count == 0 || validSplit.Count == 0)
            throw new ArgumentException($"The training set '{train.Name}' ({train.Count} images) leaves no image for the super-net's W or validation split.");
        var calibration = new BatchLoader(wSplit, new BatchLoaderOptions
        {
            BatchSize = Options.ScoringBatchSize, Shuffle = true, Seed = CalibrationSeed, Augmentation = AugmentationPipeline.None, Device = Device,
        });
        var validation = new BatchLoader(validSplit, new BatchLoaderOptions
        {
            BatchSize = Options.ScoringBatchSize, Shuffle = false, Augmentation = AugmentationPipeline.None, Device = Device,
        });

        IReadOnlyList<Genotype> genotypes = RandomArchitectures.DrawDistinct(superNet.SearchSpace, Options.Architectures, Options.Seed);
        _log.LogInformation(
            "Consistency study: {Count} architectures, super-net {Strategy} ({Epochs} epochs) from {Checkpoint}; stand-alone C={C} L={L}, {StandAloneEpochs} epochs",
            genotypes.Count, superNet.Strategy, superNet.Epochs, superNetCheckpoint, Options.StandAlone.Channels, Options.StandAlone.Layers, Options.StandAlone.Epochs);
        var points = new List<ConsistencyPoint>();
        var warnings = new List<string>();
        bool cancelled = false;
        for (int i = 0; i < genotypes.Count && !cancelled; i++)
        {
            IEnumerable<Batch> valid = validation.GetEpoch(0);
            if (Options.MaxValidationBatches is int cap) valid = valid.Take(cap);
            double superNetAccuracy = SuperNetScoring.Accuracy(superNet.Network, genotypes[i], calibration.GetEpoch(0).Take(Options.CalibrationBatches), valid);
            (double standAlone, long parameters, cancelled) = StandAlone(i, genotypes[i], superNetAccuracy, train, test, warnings, cancellationToken);
            if (cancelled) break;
            var point = new ConsistencyPoint(i, genotypes[i], superNetAccuracy, standAlone, parameters);
            points.Add(point);
            _log.LogInformation("Architecture {Index}/{Count}: super-net {SuperNet:P2}, stand-alone {StandAlone:P2}", i + 1, genotypes.Count, superNetAccuracy, standAlone);
            Progress?.Report(point);
        }

        double[] x = [.. points.Select(p => p.SuperNetAccuracy)], y = [.. points.Select(p => p.StandAloneAccuracy)];
        var result = new ConsistencyResult
        {
            SuperNetStrategy = superNet.Strategy,
            SuperNetEpochs = superNet.Epochs,
            SuperNetCheckpoint = Path.GetFullPath(superNetCheckpoint),
            Points = points,
            KendallTau = RankCorrelation.KendallTauB(x, y),
            SpearmanRho = RankCorrelation.Spearman(x, y),
            Cancelled = cancelled,
            Elapsed = clock.Elapsed,
            Warnings = warnings,
        };
        _log.LogInformation("Kendall tau-b {Tau:0.###}, Spearman rho {Rho:0.###} over {Count} architectures", result.KendallTau, result.SpearmanRho, points.Count);
        return result;
    }

    /// <summary>Trains one architecture alone (or reuses a finished run of the work folder, or continues its checkpoint).</summary>
    private (double Accuracy, long Parameters, bool Cancelled) StandAlone(int index, Genotype genotype, double superNetAccuracy, ImageDataset train, ImageDataset test,
        List<string> warnings, CancellationToken cancellationToken)
    {
        if (StandAloneOverride is not null) return (StandAloneOverride(index, genotype, superNetAccuracy), 0, cancellationToken.IsCancellationRequested);
        EvaluationOptions options = OptionsCopy.Of(Options.StandAlone);
        string? folder = Options.WorkDirectory is string work ? Path.Combine(work, $"arch-{index:000}") : null;
        options.CheckpointDirectory = folder;
        string optionsJson = JsonSerializer.Serialize(WithoutFolder(options), JsonFormat.Compact);
        if (folder is not null && Finished(Path.Combine(folder, PointFile), genotype, optionsJson) is { } done)
        {
            _log.LogInformation("Architecture {Index}: stand-alone run already finished in {Folder}.", index + 1, folder);
            return (done.TestAccuracy, done.ParameterCount, false);
        }

        var trainer = new EvaluationTrainer(genotype, options, Device, _loggers.CreateLogger<EvaluationTrainer>());
        string? checkpoint = folder is null ? null : Path.Combine(folder, EvaluationTrainer.CheckpointFileName);
        EvaluationResult result = checkpoint is not null && File.Exists(checkpoint)
            ? trainer.Resume(checkpoint, train, test, StandAloneProgress, cancellationToken)
            : trainer.Train(train, test, StandAloneProgress, cancellationToken);
        using (result.Network)
        {
            warnings.AddRange(result.Warnings);
            if (result.Cancelled || result.EpochsCompleted == 0) return (double.NaN, 0, true);
            if (folder is not null)
            {
                var record = new StandAloneRecord(genotype, result.TestAccuracy, result.ParameterCount, result.EpochsCompleted, JsonDocument.Parse(optionsJson).RootElement);
                SavedFiles saved = Write(folder, record);
                foreach (FileFailure f in saved.Failed) warnings.Add($"Could not write '{f.Path}': {f.Reason}");
            }

            return (result.TestAccuracy, result.ParameterCount, false);
        }
    }

    private static EvaluationOptions WithoutFolder(EvaluationOptions options)
    {
        EvaluationOptions copy = OptionsCopy.Of(options);
        copy.CheckpointDirectory = null;
        return copy;
    }

    private static SavedFiles Write(string folder, StandAloneRecord record)
    {
        var files = new RunFileWriter(folder);
        files.Json(PointFile, record);
        return files.Finish();
    }

    private static StandAloneRecord? Finished(string path, Genotype genotype, string optionsJson)
    {
        if (!File.Exists(path)) return null;
        try
        {
            StandAloneRecord? record = JsonSerializer.Deserialize<StandAloneRecord>(File.ReadAllText(path), JsonFormat.Compact);
            return record is not null && record.Genotype.Equals(genotype) && record.Options.GetRawText() == optionsJson && double.IsFinite(record.TestAccuracy)
                ? record
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or FormatException)
        {
            return null;
        }
    }

    /// <summary>What a finished stand-alone run leaves in its folder (<c>standalone.json</c>).</summary>
    private sealed record StandAloneRecord(Genotype Genotype, double TestAccuracy, long ParameterCount, int Epochs, JsonElement Options);
}
