using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IstaNas.Spaces.Macro;
using IstaNas.Spaces.Nb201;
using static TorchSharp.torch;

namespace IstaNas.Cli;

/// <summary>
/// The search command's <c>--space</c> (darts, macro, nb201) and <c>--table</c>: the benchmark spaces' search models for
/// <see cref="SearchBuilder.UseSpace(Func{int, nn.Module{Tensor, Tensor}})"/>, their architecture encodings and the table look-up.
/// </summary>
internal static class SpaceOption
{
    /// <summary>The NAS-Bench-201 table's budget, said wherever its accuracy is quoted.</summary>
    public const string Nb201TableNote =
        "the shared NAS-Bench-201 table is a reduced-budget one (best cell 91.52 %), not the 200-epoch table (best 94.37 %)";

    public static readonly Option<string> Space = new("--space")
    {
        Description = "Search space: darts (the DARTS cell, default), macro (NAS-Bench-Macro, 8 layers of 3 candidates), nb201 " +
                      "(NAS-Bench-201, one cell of 6 edges x 5 operations shared by all cells; --channels is its C, --layers its N cells per stage) " +
                      "or ASSEMBLY.dll:Namespace.TypeName, a model of your own (an nn.Module<Tensor, Tensor> with Choice modules and a public " +
                      "parameterless constructor). All search with two-stage or one-stage ISTA-NAS, DARTS or random.",
        DefaultValueFactory = _ => "darts",
    };

    public static readonly Option<string?> Table = new("--table")
    {
        Description = "Benchmark table to look the searched architecture up in: with --space macro the NAS-Bench-Macro JSON, with --space nb201 " +
                      "a NAS-Bench-201 CSV (arch_str, valid-accuracy, test-accuracy).",
    };

    /// <summary>The space's name, checked (one-line error otherwise).</summary>
    public static string Read(string value)
    {
        if (UserSpace.IsSpec(value)) return UserSpace.Normalize(value);
        string space = value.Trim().ToLowerInvariant();
        return space is "darts" or "macro" or "nb201"
            ? space
            : throw new ArgumentException($"--space '{value}' is not known; use darts, macro, nb201 or ASSEMBLY.dll:Namespace.TypeName (a model of your own with choices).");
    }

    /// <summary>The search model of a benchmark space for a number of classes.</summary>
    /// <remarks>One-stage search of nb201 trains the final network in place: its super-net has the inference network's affine BN with running statistics.</remarks>
    public static Func<int, nn.Module<Tensor, Tensor>> Factory(string space, int channels, int cellsPerStage, bool oneStage = false) => space switch
    {
        _ when UserSpace.IsSpec(space) => UserModel(UserSpace.Factory(space)),
        "macro" => classes => MacroSpace.CreateSearchModel(classes),
        "nb201" when oneStage => classes => Nb201Space.OneStageSearchModel(classes, channels, cellsPerStage),
        "nb201" => classes => Nb201Space.SearchModel(classes, channels, cellsPerStage),
        _ => throw new ArgumentException($"--space '{space}' has no model with choices."),
    };

    /// <summary>Whether the space is a benchmark's (macro, nb201), with an encoding and a table.</summary>
    public static bool IsBenchmark(string space) => space is "macro" or "nb201";

    /// <summary>A model of your own has its own head: the class count is the model's business.</summary>
    private static Func<int, nn.Module<Tensor, Tensor>> UserModel(Func<nn.Module<Tensor, Tensor>> create) => _ => create();

    /// <summary>The benchmark's encoding of a searched architecture (8 digits / arch string).</summary>
    public static string Encode(string space, Choices.Architecture architecture) => space switch
    {
        "macro" => MacroSpace.FromPicks(architecture.Picks),
        "nb201" => Nb201Architecture.FromChoices(architecture.Picks).ToString(),
        _ => throw new ArgumentException($"--space '{space}' has no benchmark encoding."),
    };

    /// <summary>Loads the table early (before a search runs), so a wrong file fails at once with one line.</summary>
    public static object? LoadTable(string space, string? path)
    {
        if (path is null) return null;
        if (!IsBenchmark(space))
            throw new ArgumentException("--table needs a benchmark space: give --space macro (NAS-Bench-Macro JSON) or --space nb201 (NAS-Bench-201 CSV).");
        if (!File.Exists(path)) throw new ArgumentException($"--table '{path}' does not exist.");
        try
        {
            return space == "macro" ? MacroTable.Load(path) : Nb201Table.Load(path);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException) // DataFormatException is an IOException
        {
            string kind = space == "macro" ? "a NAS-Bench-Macro table (nas-bench-macro_cifar10.json)" : "a NAS-Bench-201 table (CSV with arch_str, valid-accuracy, test-accuracy)";
            throw new ArgumentException($"--table '{path}' is not {kind}: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    /// <summary>The table's row of <paramref name="encoding"/> as the <c>table</c> object of result.json, and a line for the console.</summary>
    public static (JsonObject Json, string Line) Lookup(object table, string encoding)
    {
        switch (table)
        {
            case MacroTable macro:
                {
                    MacroTableEntry e = macro.Lookup(encoding);
                    var json = new JsonObject
                    {
                        ["benchmark"] = "NAS-Bench-Macro",
                        ["path"] = macro.Path,
                        ["architecture"] = encoding,
                        ["accuracy"] = e.MeanAccuracy,
                        ["std"] = e.StandardDeviation,
                        ["params"] = e.Parameters,
                        ["flops"] = e.Flops,
                    };
                    return (json, string.Create(CultureInfo.InvariantCulture,
                        $"NAS-Bench-Macro table: {encoding} has test accuracy {e.MeanAccuracy:0.00} % (mean of {e.TestAccuracies.Count} runs), {e.Parameters} parameters, {e.Flops} FLOPs"));
                }
            case Nb201Table nb201:
                {
                    Nb201Record r = nb201.Lookup(encoding);
                    var json = new JsonObject
                    {
                        ["benchmark"] = "NAS-Bench-201",
                        ["path"] = nb201.Path,
                        ["architecture"] = encoding,
                        ["accuracy"] = r.TestAccuracy,
                        ["validAccuracy"] = r.ValidAccuracy,
                        ["note"] = Nb201TableNote,
                    };
                    return (json, string.Create(CultureInfo.InvariantCulture,
                        $"NAS-Bench-201 table: {encoding} has test accuracy {r.TestAccuracy:0.00} % (valid {r.ValidAccuracy:0.00} %); {Nb201TableNote}"));
                }
            default:
                throw new ArgumentException("Unknown table.");
        }
    }

    /// <summary>Adds <paramref name="fields"/> to the run's result.json (written by the library), atomically.</summary>
    public static void AddToResult(string directory, JsonObject fields)
    {
        string path = Path.Combine(directory, "result.json");
        JsonObject result = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [] : [];
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            result[key] = value;
        }
        string temp = path + ".tmp";
        File.WriteAllText(temp, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        File.Move(temp, path, overwrite: true);
    }
}
