using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Networks;
using TorchSharp;

namespace IstaNas.Evaluation;

/// <summary>
/// Saves a trained <see cref="EvalNetwork"/> as one checkpoint file (kind "network") holding its weights in
/// TorchSharp's format (section "network"), its genotype and its options, and loads it back — refusing a file
/// whose genotype or options do not match the network asked for.
/// </summary>
public static class TrainedNetwork
{
    /// <summary>The checkpoint kind of a saved network.</summary>
    public const string Kind = "network";

    /// <summary>Writes the network, its genotype and options to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file, conventionally <c>model.ckpt</c>.</param>
    /// <param name="network">The network.</param>
    /// <param name="genotype">The genotype it was built from (must match the network's cells).</param>
    /// <exception cref="ArgumentException">The genotype does not describe the network's cells.</exception>
    public static void Save(string path, EvalNetwork network, Genotype genotype)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(genotype);
        if (!SameCells(network, genotype))
            throw new ArgumentException("The genotype does not describe the network's cells.", nameof(genotype));
        new CheckpointWriter(Kind, Fingerprint(genotype, network.Options))
            .SetValue("genotype", genotype.ToJson())
            .SetValue("options", network.Options with { DropPathProbability = 0 })
            .AddModule(network)
            .Save(path);
    }

    /// <summary>Builds the network described by the file and loads its weights.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <returns>The network (in training mode, on the CPU) and its genotype; the caller owns the network.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">The file is not a valid saved network.</exception>
    public static (EvalNetwork Network, Genotype Genotype) Load(string path)
    {
        Checkpoint checkpoint = Open(path);
        Genotype genotype;
        EvalNetworkOptions options;
        try
        {
            genotype = Genotype.FromJson(checkpoint.Metadata.GetValue<string>("genotype"));
            options = checkpoint.Metadata.GetValue<EvalNetworkOptions>("options");
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            throw new CheckpointException(path, $"the genotype or network options are unreadable: {ex.Message}", ex);
        }

        checkpoint.EnsureFingerprint(Fingerprint(genotype, options));
        var network = new EvalNetwork(options, genotype);
        try
        {
            checkpoint.LoadModule(network);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return (network, genotype);
    }

    /// <summary>Loads the weights of the file into an existing network, after checking that the file was saved from a network of the same genotype and options.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <param name="network">The network to fill; unchanged when the check fails.</param>
    /// <param name="genotype">The network's genotype.</param>
    /// <exception cref="CheckpointException">The file is invalid, or its genotype or options differ (the message says which).</exception>
    public static void LoadInto(string path, EvalNetwork network, Genotype genotype)
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
    public static CheckpointFingerprint Fingerprint(Genotype genotype, EvalNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        ArgumentNullException.ThrowIfNull(options);
        return CheckpointFingerprint.Empty
            .With("genotype.normal", CellKey(genotype, CellType.Normal))
            .With("genotype.reduce", CellKey(genotype, CellType.Reduce))
            .With("network.channels", options.Channels)
            .With("network.layers", options.Layers)
            .With("network.stemMultiplier", options.StemMultiplier)
            .With("network.auxiliary", options.Auxiliary)
            .With("network.inputChannels", options.InputChannels)
            .With("network.classes", options.Classes)
            .With("network.batchNormAfterParameterFree", options.BatchNormAfterParameterFree);
    }

    /// <summary>A one-line form of one cell of a genotype: <c>op:input,op:input,...|concat</c>.</summary>
    internal static string CellKey(Genotype genotype, CellType cell) =>
        string.Join(",", genotype.Cell(cell).Select(e => $"{e.Operation}:{e.Input}")) + "|" + string.Join(",", genotype.Concat(cell));

    private static bool SameCells(EvalNetwork network, Genotype genotype)
    {
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
