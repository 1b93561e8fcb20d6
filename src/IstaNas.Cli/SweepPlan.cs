using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IstaNas.Cli;

/// <summary>
/// The plan of a sweep, shared by the local, Slurm and Kubernetes runners: K seeds x S strategies, task
/// <c>seedIndex * S + strategyIndex</c>, each in its own folder <c>ROOT/STRATEGY/seed-SEED/</c> (with <c>search/</c> and
/// <c>evaluate/</c>), so that no two tasks write the same files. Library-free: it only builds command lines and paths.
/// </summary>
internal sealed class SweepPlan
{
    /// <summary>The strategy labels a sweep accepts; random-ws is random search with weight sharing.</summary>
    public static readonly string[] KnownStrategies = ["two-stage", "one-stage", "darts", "random", "random-ws"];

    /// <summary>File name of the plan in the sweep's folder.</summary>
    public const string FileName = "sweep.json";

    /// <summary>Builds the plan.</summary>
    /// <param name="root">The sweep's folder as the tasks see it (absolute).</param>
    /// <param name="executable">The CLI as the tasks start it: ["dotnet", "IstaNas.Cli.dll"] or ["IstaNas.Cli"].</param>
    /// <param name="seeds">The seeds.</param>
    /// <param name="strategies">The strategy labels (see <see cref="KnownStrategies"/>).</param>
    /// <param name="searchArguments">Arguments every new search gets (data, budget).</param>
    /// <param name="randomArguments">Arguments only the random-ws searches get (after --weight-sharing).</param>
    /// <param name="evaluateArguments">Arguments every new evaluation gets (data, budget).</param>
    /// <param name="childArguments">Arguments every command gets, resumed ones too (threads, --quiet).</param>
    /// <exception cref="ArgumentException">No seed or strategy, a repeated one, or an unknown strategy.</exception>
    public SweepPlan(string root, IReadOnlyList<string> executable, IReadOnlyList<long> seeds, IReadOnlyList<string> strategies,
        IReadOnlyList<string> searchArguments, IReadOnlyList<string> randomArguments, IReadOnlyList<string> evaluateArguments, IReadOnlyList<string> childArguments)
    {
        if (executable.Count == 0) throw new ArgumentException("The sweep needs the command that starts the CLI.");
        if (seeds.Count == 0) throw new ArgumentException("A sweep needs at least one seed.");
        if (strategies.Count == 0) throw new ArgumentException("A sweep needs at least one strategy.");
        if (strategies.FirstOrDefault(s => !KnownStrategies.Contains(s)) is string unknown)
            throw new ArgumentException($"--strategies: '{unknown}' is not known; use {string.Join(", ", KnownStrategies)}.");
        if (strategies.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"--strategies lists '{twice.Key}' twice.");
        if (seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            throw new ArgumentException($"The seed {repeated.Key} is listed twice.");
        Root = root;
        Executable = executable;
        Seeds = seeds;
        Strategies = strategies;
        var tasks = new List<SweepTask>();
        foreach (long seed in seeds)
            foreach (string strategy in strategies)
                tasks.Add(Task(tasks.Count, strategy, seed, searchArguments, randomArguments, evaluateArguments, childArguments));
        Tasks = tasks;
    }

    /// <summary>The sweep's folder as the tasks see it.</summary>
    public string Root { get; }

    /// <summary>The command that starts the CLI.</summary>
    public IReadOnlyList<string> Executable { get; }

    /// <summary>The seeds.</summary>
    public IReadOnlyList<long> Seeds { get; }

    /// <summary>The strategy labels.</summary>
    public IReadOnlyList<string> Strategies { get; }

    /// <summary>Every task, in index order.</summary>
    public IReadOnlyList<SweepTask> Tasks { get; }

    /// <summary>The folder of a task relative to the sweep's folder.</summary>
    public static string RelativeFolder(string strategy, long seed) => $"{strategy}/seed-{seed.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The plan as JSON (<c>sweep.json</c>): seeds, strategies and every task's folder (relative to the sweep) and commands.</summary>
    public string ToJson()
    {
        static JsonArray Words(IEnumerable<string> words) => [.. words.Select(w => (JsonNode)JsonValue.Create(w))];
        var json = new JsonObject
        {
            ["root"] = Root,
            ["seeds"] = new JsonArray([.. Seeds.Select(s => (JsonNode)JsonValue.Create(s))]),
            ["strategies"] = Words(Strategies),
            ["tasks"] = new JsonArray([.. Tasks.Select(t => (JsonNode)new JsonObject
            {
                ["index"] = t.Index,
                ["strategy"] = t.Strategy,
                ["seed"] = t.Seed,
                ["folder"] = RelativeFolder(t.Strategy, t.Seed),
                ["search"] = Words(t.Search),
                ["searchResume"] = Words(t.SearchResume),
                ["evaluate"] = Words(t.Evaluate),
                ["evaluateResume"] = Words(t.EvaluateResume),
            })]),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine;
    }

    /// <summary>The (strategy, seed, relative folder) of every task listed in a <c>sweep.json</c>.</summary>
    /// <exception cref="JsonException">The file is not a sweep plan.</exception>
    public static IReadOnlyList<(string Strategy, long Seed, string Folder)> ReadTasks(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("tasks", out JsonElement tasks) || tasks.ValueKind != JsonValueKind.Array)
            throw new JsonException("it has no \"tasks\" array");
        return [.. tasks.EnumerateArray().Select(t => (t.GetProperty("strategy").GetString()!, t.GetProperty("seed").GetInt64(), t.GetProperty("folder").GetString()!))];
    }

    private SweepTask Task(int index, string strategy, long seed, IReadOnlyList<string> search, IReadOnlyList<string> random, IReadOnlyList<string> evaluate,
        IReadOnlyList<string> child)
    {
        string folder = Combine(Root, RelativeFolder(strategy, seed));
        string searchFolder = Combine(folder, "search"), evaluateFolder = Combine(folder, "evaluate");
        string kind = strategy == "random-ws" ? "random" : strategy;
        string searchCheckpoint = Combine(searchFolder, kind + ".ckpt"), evaluateCheckpoint = Combine(evaluateFolder, "evaluation.ckpt");
        string seedText = seed.ToString(CultureInfo.InvariantCulture);
        List<string> Command(params IEnumerable<string>[] parts) => [.. Executable, .. parts.SelectMany(p => p), .. child];
        IEnumerable<string> strategyArguments = strategy == "random-ws" ? ["--strategy", "random", "--weight-sharing", .. random] : ["--strategy", strategy];
        return new SweepTask(index, strategy, seed, folder, searchFolder, searchCheckpoint, evaluateFolder, evaluateCheckpoint,
            Search: Command(["search"], strategyArguments, ["--seed", seedText, "--output", searchFolder], search),
            SearchResume: Command(["search", "--resume", searchCheckpoint]),
            Evaluate: Command(
                evaluate.Contains("--space")
                    ? ["evaluate", "--architecture", Combine(searchFolder, "benchmark_architecture.txt")] // a benchmark space's searched architecture
                    : ["evaluate", "--genotype", Combine(searchFolder, "genotype.json")],
                ["--seed", seedText, "--output", evaluateFolder], evaluate),
            EvaluateResume: Command(["evaluate", "--resume", evaluateCheckpoint]));
    }

    /// <summary>Joins with '/' (the tasks may run on another system than the one that writes the plan, e.g. in a Linux container).</summary>
    private static string Combine(string a, string b) => a.EndsWith('/') ? a + b : a + "/" + b;
}
