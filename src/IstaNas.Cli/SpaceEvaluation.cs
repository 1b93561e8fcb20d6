using System.CommandLine;
using System.Globalization;
using IstaNas.Checkpoints;
using IstaNas.Evaluation;
using IstaNas.Spaces.Macro;
using IstaNas.Spaces.Nb201;
using static TorchSharp.torch;

namespace IstaNas.Cli;

/// <summary>
/// evaluate --space macro|nb201 --architecture STRING: the benchmark's fixed network of one architecture, trained with
/// <see cref="EvaluationTrainer.ForModel"/>. The space, architecture, sizes and class count are stored as annotations in
/// the checkpoints and in model.ckpt, so that --resume, export and predict rebuild the network.
/// </summary>
internal static class SpaceEvaluation
{
    public static readonly Option<string> Space = new("--space")
    {
        Description = "darts (a genotype's DARTS network, default), macro (NAS-Bench-Macro's network of --architecture), nb201 (NAS-Bench-201's " +
                      "network of --architecture; --channels is its C, default 16, --layers its N cells per stage, default 5) or ASSEMBLY.dll:Namespace.TypeName " +
                      "(a model of your own with choices, fixed to the picks of --architecture architecture.json).",
        DefaultValueFactory = _ => "darts",
    };

    public static readonly Option<string?> ArchitectureOption = new("--architecture")
    {
        Description = "With --space macro: 8 digits of 0, 1, 2 (e.g. 22212220); with --space nb201: the arch string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|. " +
                      "Or a file holding it, such as a search's benchmark_architecture.txt. With --space ASSEMBLY.dll:Type, the architecture.json its search wrote.",
    };

    private const string SpaceKey = "space", ArchitectureKey = "architecture", ClassesKey = "classes", ChannelsKey = "nb201Channels", CellsKey = "nb201Cells";
    private const string ModelKey = "model", OneStageModel = "one-stage search model";

    /// <summary>The network of a benchmark space (its architecture checked now, with a one-line error).</summary>
    public static Func<nn.Module<Tensor, Tensor>> Network(string space, string architecture, int classes, int channels, int cells)
    {
        if (UserSpace.IsSpec(space)) return OwnNetwork(space, architecture);
        switch (space)
        {
            case "macro":
                try
                {
                    MacroSpace.ToPicks(architecture);
                }
                catch (ArgumentException ex)
                {
                    throw new ArgumentException($"--architecture '{architecture}': {ex.Message.Split(" (Parameter", 2)[0]}", ex);
                }
                return () => MacroSpace.CreateNetwork(architecture, classes);
            case "nb201":
                Nb201Architecture cell;
                try
                {
                    cell = Nb201Architecture.Parse(architecture);
                }
                catch (FormatException ex)
                {
                    throw new ArgumentException($"--architecture '{architecture}': {ex.Message}", ex);
                }
                if (channels < 1 || cells < 1)
                    throw new ArgumentException($"--space nb201: --channels (C) and --layers (N cells per stage) must be positive, not {channels} and {cells}.");
                return () => Nb201Space.Network(cell, classes, channels, cells);
            default:
                throw new ArgumentException($"--space '{space}' has no fixed network of an architecture string.");
        }
    }

    /// <summary>A model of your own fixed to an architecture's picks (checked now on one instance, with a one-line error).</summary>
    private static Func<nn.Module<Tensor, Tensor>> OwnNetwork(string space, string json)
    {
        Choices.Architecture picks = ParseOwn(json);
        Func<nn.Module<Tensor, Tensor>> create = UserSpace.Factory(space);
        nn.Module<Tensor, Tensor> Fixed()
        {
            nn.Module<Tensor, Tensor> model = create();
            try
            {
                return picks.Fix(model);
            }
            catch (ArgumentException ex)
            {
                model.Dispose();
                throw new ArgumentException($"--architecture does not fit {UserSpace.Label(space)}: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
            }
        }
        Fixed().Dispose();
        return Fixed;
    }

    private static Choices.Architecture ParseOwn(string json)
    {
        try
        {
            return Choices.Architecture.FromJson(json);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"--architecture is not an architecture.json of a search: {ex.Message}", ex);
        }
    }

    /// <summary>What --architecture holds for a space, for the message when it is missing.</summary>
    public static string ArchitectureHint(string space) => space switch
    {
        "macro" => "8 digits of 0, 1, 2, e.g. 22212220",
        "nb201" => "an arch string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|",
        _ => "the architecture.json a search of this model wrote",
    };

    /// <summary>The network named in the console's header.</summary>
    public static string Describe(string space, string architecture) => space switch
    {
        "macro" => $"NAS-Bench-Macro {architecture}",
        "nb201" => $"NAS-Bench-201 {architecture}",
        _ => $"{UserSpace.Label(space)} fixed to {ParseOwn(architecture)}",
    };

    /// <summary>
    /// The --architecture value: the string, or the first line of the file it names; for a model of your own, the
    /// architecture.json's text (a file, or the JSON itself).
    /// </summary>
    public static string ReadArchitecture(string value, string space)
    {
        if (UserSpace.IsSpec(space))
        {
            string json = File.Exists(value) ? File.ReadAllText(value) : value.TrimStart().StartsWith('{')
                ? value
                : throw new ArgumentException($"--architecture '{value}' does not exist; give the architecture.json a search of {UserSpace.Label(space)} wrote.");
            return ParseOwn(json).ToJson();
        }
        return File.Exists(value)
            ? File.ReadLines(value).FirstOrDefault()?.Trim() ?? throw new ArgumentException($"--architecture '{value}' is an empty file.")
            : value.Trim();
    }

    /// <summary>The annotations that let a program rebuild the network.</summary>
    public static Dictionary<string, string> Annotations(string space, string architecture, int classes, int channels, int cells)
    {
        var a = new Dictionary<string, string>
        {
            [SpaceKey] = space,
            [ArchitectureKey] = architecture,
            [ClassesKey] = classes.ToString(CultureInfo.InvariantCulture),
        };
        if (space == "nb201")
        {
            a[ChannelsKey] = channels.ToString(CultureInfo.InvariantCulture);
            a[CellsKey] = cells.ToString(CultureInfo.InvariantCulture);
        }
        return a;
    }

    /// <summary>
    /// The annotations of a one-stage search's model.ckpt on a benchmark space: its model is the space's one-stage super-net
    /// fixed to the picks (alpha absorbed or kept as a scale), rebuilt from the space, sizes and class count.
    /// </summary>
    public static Dictionary<string, string> OneStageAnnotations(string space, int classes, int channels, int cells)
    {
        Dictionary<string, string> a = Annotations(space, "", classes, channels, cells);
        a.Remove(ArchitectureKey);
        a[ModelKey] = OneStageModel;
        return a;
    }

    /// <summary>The space stored in a checkpoint's annotations, or null.</summary>
    public static string? StoredSpace(IReadOnlyDictionary<string, string> annotations) => annotations.GetValueOrDefault(SpaceKey);

    /// <summary>The network factory stored in annotations written by <see cref="Annotations"/>.</summary>
    public static Func<nn.Module<Tensor, Tensor>> FromAnnotations(string path, IReadOnlyDictionary<string, string> a)
    {
        string Get(string key) => a.GetValueOrDefault(key) ?? throw new ArgumentException($"'{path}' is a {a[SpaceKey]} network but does not record its {key}.");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"'{path}': its {key} '{Get(key)}' is not a number.");
        string space = Get(SpaceKey);
        if (a.GetValueOrDefault(ModelKey) == OneStageModel)
        {
            Func<int, nn.Module<Tensor, Tensor>> model = SpaceOption.Factory(space, space == "nb201" ? Int(ChannelsKey) : 0, space == "nb201" ? Int(CellsKey) : 0, oneStage: true);
            int classes = Int(ClassesKey);
            return () => model(classes);
        }
        return Network(space, Get(ArchitectureKey), Int(ClassesKey), space == "nb201" ? Int(ChannelsKey) : 0, space == "nb201" ? Int(CellsKey) : 0);
    }

    /// <summary>Loads a model.ckpt: a benchmark space's network (rebuilt from its annotations) or a genotype's network.</summary>
    public static TrainedNetwork Load(string path)
    {
        IReadOnlyDictionary<string, string> annotations = CheckpointInfo.Read(path).Annotations;
        return StoredSpace(annotations) is string space && space != "darts"
            ? TrainedNetwork.Load(path, FromAnnotations(path, annotations))
            : TrainedNetwork.Load(path);
    }

    /// <summary>The NAS-Bench-201 training protocol's values that the trainer's options have.</summary>
    public static void ApplyPreset(EvaluationOptions o)
    {
        Nb201Protocol protocol = Nb201Protocol.Benchmark;
        o.Epochs = protocol.Epochs;
        o.BatchSize = protocol.BatchSize;
        o.LearningRate = protocol.LearningRate;
        o.LearningRateMin = protocol.LearningRateMin;
        o.Momentum = protocol.Momentum;
        o.WeightDecay = protocol.WeightDecay;
        o.GradClip = protocol.GradClip;
        o.Augment = protocol.Augment;
        o.Cutout = false;
        o.DropPathProbability = 0;
        o.Auxiliary = false;
    }
}
