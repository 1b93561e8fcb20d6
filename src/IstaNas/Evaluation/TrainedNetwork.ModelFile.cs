using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Networks;

namespace IstaNas.Evaluation;

/// <summary>
/// The model file of a genotype's network (<c>model.ckpt</c>, checkpoint kind "network"): reading it, loading its
/// weights into a network, its fingerprint and writing it. A model of your own has its file in TrainedNetwork.OwnModel.cs.
/// </summary>
public sealed partial class TrainedNetwork
{
    /// <summary>Reads a network saved by <see cref="Save"/> (or by an older version, without metadata: defaults then).</summary>
    /// <param name="path">The file, conventionally <c>model.ckpt</c>.</param>
    /// <returns>The network (on the CPU, in training mode, as built) with its genotype and metadata; the caller owns and disposes it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">The file is not a valid saved network (the message says what is wrong).</exception>
    public static TrainedNetwork Load(string path)
    {
        Checkpoint checkpoint = Open(path);
        if (checkpoint.Metadata.TryGetValue(FixedModel.TypeValue, out string? type))
            throw new CheckpointException(path, $"it holds a model of your own ({type}); load it with TrainedNetwork.Load(path, () => new YourModel()).");
        Genotype genotype;
        EvaluationNetworkOptions options;
        ModelMetadata? metadata;
        try
        {
            genotype = Genotype.FromJson(checkpoint.Metadata.GetValue<string>("genotype"));
            options = checkpoint.Metadata.GetValue<EvaluationNetworkOptions>("options");
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or JsonException)
        {
            throw new CheckpointException(path, $"the genotype or network options are unreadable: {ex.Message}", ex);
        }

        try
        {
            checkpoint.Metadata.TryGetValue(DataValue, out metadata);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"the class names and normalisation are unreadable: {ex.Message}", ex);
        }

        checkpoint.EnsureFingerprint(Fingerprint(genotype, options));
        var network = new EvaluationNetwork(options, genotype);
        try
        {
            checkpoint.LoadModule(network);
            return new TrainedNetwork(network, genotype, metadata);
        }
        catch (ArgumentException ex)
        {
            network.Dispose();
            throw new CheckpointException(path, $"the class names and normalisation do not fit the network: {ex.Message}", ex);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Loads the weights of the file into an existing network, after checking that the file was saved from a network of the same genotype and options.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <param name="network">The network to fill; unchanged when the check fails.</param>
    /// <param name="genotype">The network's genotype.</param>
    /// <exception cref="CheckpointException">The file is invalid, or its genotype or options differ (the message says which).</exception>
    public static void LoadInto(string path, EvaluationNetwork network, Genotype genotype)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(genotype);
        if (!SameCells(network, genotype))
            throw new ArgumentException("The genotype does not describe the network's cells.", nameof(genotype));
        Checkpoint checkpoint = Open(path);
        checkpoint.EnsureFingerprint(Fingerprint(genotype, network.Options));
        checkpoint.LoadModule(network);
    }

    /// <summary>The fingerprint of a network: its genotype and every option that shapes its parameters.</summary>
    /// <param name="genotype">The genotype.</param>
    /// <param name="options">The network options.</param>
    /// <returns>The fingerprint.</returns>
    internal static CheckpointFingerprint Fingerprint(Genotype genotype, EvaluationNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        ArgumentNullException.ThrowIfNull(options);
        CheckpointFingerprint f = CheckpointFingerprint.Empty
            .With("genotype.normal", CellKey(genotype, CellType.Normal))
            .With("genotype.reduce", CellKey(genotype, CellType.Reduce))
            .With("network.channels", options.Channels)
            .With("network.layers", options.Layers)
            .With("network.stemMultiplier", options.StemMultiplier)
            .With("network.auxiliary", options.Auxiliary)
            .With("network.inputChannels", options.InputChannels)
            .With("network.classes", options.Classes)
            .With("network.batchNormAfterParameterFree", options.BatchNormAfterParameterFree);
        // Only other layouts add a key, so that files of CIFAR networks written before layouts existed still match.
        return options.Layout == NetworkLayout.Cifar ? f : f.With("network.layout", options.Layout.ToString());
    }

    /// <summary>Writes a network that the caller keeps owning (see <see cref="Save"/>); the metadata is checked as by the constructor.</summary>
    /// <param name="path">The file.</param>
    /// <param name="network">The network.</param>
    /// <param name="genotype">Its genotype.</param>
    /// <param name="metadata">Its metadata; null for the defaults.</param>
    /// <exception cref="ArgumentException">The genotype does not describe the network, or the metadata does not fit it.</exception>
    internal static void Write(string path, EvaluationNetwork network, Genotype genotype, ModelMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(genotype);
        if (!SameCells(network, genotype))
            throw new ArgumentException("The genotype does not describe the network's cells.", nameof(genotype));
        metadata ??= new ModelMetadata();
        var (classNames, mean, std) = Resolve(network.Options.Classes, network.Options.InputChannels, metadata, nameof(metadata));
        new CheckpointWriter(Kind, Fingerprint(genotype, network.Options))
            .SetValue("genotype", genotype.ToJson())
            .SetValue("options", network.Options with { DropPathProbability = 0 })
            .SetValue(DataValue, metadata with { ClassNames = classNames, Mean = mean, Std = std })
            .AddModule(network)
            .Save(path);
    }

    /// <summary>A one-line form of one cell of a genotype: <c>op:input,op:input,...|concat</c>.</summary>
    internal static string CellKey(Genotype genotype, CellType cell) =>
        string.Join(",", genotype.Cell(cell).Select(e => $"{e.Operation}:{e.Input}")) + "|" + string.Join(",", genotype.Concat(cell));

    private static bool SameCells(EvaluationNetwork network, Genotype genotype)
    {
        if (genotype.EdgesPerNode != 2) return false;
        CellTopology normal = CellTopology.From(genotype, CellType.Normal), reduce = CellTopology.From(genotype, CellType.Reduce);
        return network.Normal.Edges.SequenceEqual(normal.Edges) && network.Normal.Concat.SequenceEqual(normal.Concat)
            && network.Reduce.Edges.SequenceEqual(reduce.Edges) && network.Reduce.Concat.SequenceEqual(reduce.Concat);
    }

    private static Checkpoint Open(string path)
    {
        Checkpoint checkpoint = Checkpoint.Load(path);
        checkpoint.EnsureKind(Kind);
        return checkpoint;
    }
}
