using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.IO;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using IstaNas.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Quality;

/// <summary>A trained sparse or dense super-net read back from a search checkpoint (two-stage, DARTS, random with weight sharing).</summary>
internal sealed class SuperNetCheckpoint : IDisposable
{
    private SuperNetCheckpoint(SuperNet network, string strategy, int epochs, double trainPortion, SearchSpaceOptions space)
    {
        Network = network;
        Strategy = strategy;
        Epochs = epochs;
        TrainPortion = trainPortion;
        SearchSpace = space;
    }

    /// <summary>The super-net, with the checkpoint's weights, on the requested device.</summary>
    public SuperNet Network { get; }

    /// <summary>The strategy that trained it.</summary>
    public string Strategy { get; }

    /// <summary>Completed epochs.</summary>
    public int Epochs { get; }

    /// <summary>The share of the training set that trained W (the rest is the validation split).</summary>
    public double TrainPortion { get; }

    /// <summary>The search space of the run (nodes, operations, sparsity).</summary>
    public SearchSpaceOptions SearchSpace { get; }

    /// <summary>Reads the checkpoint and checks that <paramref name="train"/> is the data the super-net trained on.</summary>
    /// <exception cref="CheckpointException">Not a search checkpoint, a one-stage one, or of other data.</exception>
    public static SuperNetCheckpoint Load(string path, ImageDataset train, Device device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(train);
        if (!File.Exists(path)) throw new FileNotFoundException($"Super-net checkpoint '{path}' does not exist.", path);
        Checkpoint checkpoint = Checkpoint.Load(path);
        string kind = checkpoint.Metadata.Kind;
        if (kind == "one-stage")
            throw new CheckpointException(path,
                "it is a one-stage search, whose candidates are scaled by alpha and whose BNs train as they freeze; score a two-stage, DARTS or random (weight-sharing) super-net.");
        if (kind is not ("two-stage" or "darts" or RandomRun.StrategyName))
            throw new CheckpointException(path, $"it is a '{kind}' checkpoint, which holds no search super-net; give a two-stage, darts or random (weight-sharing) search checkpoint.");
        StoredSearchSettings settings = TrainingLoop.ReadSettings<StoredSearchSettings>(checkpoint) is { Strategy: not null } read
            ? read
            : throw new CheckpointException(path, "it stores no search settings (written by an older IstaNas).");
        TrainingOptions options;
        double portion;
        try
        {
            (options, portion) = kind switch
            {
                "two-stage" => Read<TwoStageOptions>(settings.Options, o => o.TrainPortion),
                "darts" => Read<DartsOptions>(settings.Options, o => o.TrainPortion),
                _ => Read<RandomOptions>(settings.Options, o => o.TrainPortion),
            };
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"its {kind} options are unreadable: {ex.Message}", ex);
        }

        CheckpointFingerprint data = TrainingData.Fingerprint(CheckpointFingerprint.Empty, "data.train", train);
        var stored = new CheckpointFingerprint(checkpoint.Metadata.Fingerprint.Parts.Where(p => p.Key.StartsWith("data.train.", StringComparison.Ordinal)));
        IReadOnlyList<string> differences = stored.Differences(data);
        if (differences.Count > 0)
            throw new CheckpointException(path, $"its super-net was trained on other data than '{train.Name}' ({string.Join("; ", differences)}).");

        IReadOnlyList<string> operations = kind == "darts"
            ? DartsSearchSpace.DenseOperations([.. settings.SearchSpace.Operations])
            : [.. settings.SearchSpace.Operations];
        var network = new SuperNet(new SuperNetOptions
        {
            Nodes = settings.SearchSpace.Nodes,
            Operations = operations,
            Channels = options.Channels,
            Layers = options.Layers,
            StemMultiplier = options.StemMultiplier,
            InputChannels = train.Channels,
            Classes = train.ClassCount,
            Affine = false,
        });
        try
        {
            checkpoint.LoadModule(network);
            network.to(device);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return new SuperNetCheckpoint(network, kind, checkpoint.Metadata.Epoch, portion, settings.SearchSpace);
    }

    public void Dispose() => Network.Dispose();

    private static (TrainingOptions, double) Read<T>(JsonElement json, Func<T, double> portion)
        where T : TrainingOptions
    {
        T o = json.Deserialize<T>(JsonFormat.Compact) ?? throw new JsonException("the options are null");
        return (o, portion(o));
    }
}
