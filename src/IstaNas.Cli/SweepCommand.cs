using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IstaNas.IO;
using IstaNas.Training;

namespace IstaNas.Cli;

/// <summary>
/// The <c>sweep</c> command: K seeds x {strategies}, each searched then evaluated under one budget, in its own run folder;
/// locally (P child processes at a time, then <c>aggregate</c>), or as a Slurm job array script or a Kubernetes Indexed
/// Job manifest that run the same tasks. Running it again skips what finished and continues what did not.
/// </summary>
internal static class SweepCommand
{
    private static readonly Option<int> Seeds = new("--seeds") { Description = "Number of seeds K (seeds --first-seed .. --first-seed + K - 1).", DefaultValueFactory = _ => 3 };

    private static readonly Option<int> FirstSeed = new("--first-seed") { Description = "The first seed.", DefaultValueFactory = _ => 0 };

    private static readonly Option<string> Strategies = new("--strategies")
    {
        Description = $"Comma-separated strategies: {string.Join(", ", SweepPlan.KnownStrategies)} (random-ws: random search with weight sharing).",
        DefaultValueFactory = _ => "two-stage,random",
    };

    private static readonly Option<string> DataOption = new("--data", "-d")
    {
        Description = "Data of every search and evaluation (see search --help and evaluate --help; the same spec serves both).",
        DefaultValueFactory = _ => "synthetic",
    };

    private static readonly Option<int?> Epochs = new("--epochs", "-e") { Description = "Search epochs (default: search's)." };

    private static readonly Option<int?> BatchSize = new("--batch-size", "-b") { Description = "Search minibatch size (default: search's)." };

    private static readonly Option<int?> Channels = new("--channels", "-C") { Description = "Search channels C (default: search's)." };

    private static readonly Option<int?> Layers = new("--layers", "-L") { Description = "Search cells L (default: search's)." };

    private static readonly Option<int?> StepsPerEpoch = new("--steps-per-epoch") { Description = "Cap on search minibatches per epoch." };

    private static readonly Option<int?> Candidates = new("--candidates") { Description = "random-ws: genotypes ranked after training (default: search's)." };

    private static readonly Option<int?> EvalEpochs = new("--eval-epochs") { Description = "Evaluation epochs of every found genotype (default: evaluate's)." };

    private static readonly Option<int?> EvalBatchSize = new("--eval-batch-size") { Description = "Evaluation minibatch size (default: evaluate's)." };

    private static readonly Option<int?> EvalChannels = new("--eval-channels") { Description = "Evaluation channels C (default: evaluate's)." };

    private static readonly Option<int?> EvalLayers = new("--eval-layers") { Description = "Evaluation cells L (default: evaluate's)." };

    private static readonly Option<int?> EvalStepsPerEpoch = new("--eval-steps-per-epoch") { Description = "Cap on evaluation minibatches per epoch." };

    private static readonly Option<int?> EvalTestSteps = new("--eval-test-steps") { Description = "Cap on evaluation test minibatches." };

    private static readonly Option<int?> EvalCutout = new("--eval-cutout") { Description = "Evaluation cutout side, 0 for none (default: evaluate's)." };

    private static readonly Option<bool> EvalNoAuxiliary = new("--eval-no-auxiliary") { Description = "Evaluate without the auxiliary head (needed for images other than 32x32)." };

    private static readonly Option<string> Space = new("--space")
    {
        Description = "Search space of every search: darts (default), macro or nb201 (not one-stage; each task then evaluates the benchmark's network of the " +
                      "searched architecture, evaluate --space).",
        DefaultValueFactory = _ => "darts",
    };

    private static readonly Option<string?> Table = new("--table") { Description = "Benchmark table every search looks its architecture up in (search --table); aggregate reports its accuracy." };

    private static readonly Option<string> Runner = new("--runner")
    {
        Description = "local (run the tasks here, --parallel at a time, then aggregate), slurm (write sweep.sbatch, a job array) or kubernetes " +
                      "(write sweep-job.yaml, an Indexed Job).",
        DefaultValueFactory = _ => "local",
    };

    private static readonly Option<int?> Parallel = new("--parallel", "-P") { Description = "Tasks at once (local: default 1; slurm: the array throttle; kubernetes: the Job's parallelism)." };

    private static readonly Option<string?> Executable = new("--executable")
    {
        Description = "How a task starts the CLI, words separated by spaces (default: this CLI as it runs now; kubernetes: 'dotnet /app/IstaNas.Cli.dll').",
    };

    private static readonly Option<string?> Output = new("--output", "-o") { Description = "The sweep's folder (default runs/sweep-<time>); give the same folder again to continue." };

    private static readonly Option<string> JobName = new("--job-name") { Description = "slurm, kubernetes: the job's name.", DefaultValueFactory = _ => "istanas-sweep" };

    private static readonly Option<string?> SlurmPartition = new("--slurm-partition") { Description = "slurm: the partition." };

    private static readonly Option<string?> SlurmTime = new("--slurm-time") { Description = "slurm: time limit per task, such as 24:00:00." };

    private static readonly Option<string[]> SlurmOption = new("--slurm-option") { Description = "slurm: a further #SBATCH option, such as --mem=8G (repeatable)." };

    private static readonly Option<string?> Image = new("--image") { Description = "kubernetes: the container image with the CLI (and dotnet, when the executable is a dll)." };

    private static readonly Option<string?> VolumeClaim = new("--volume-claim") { Description = "kubernetes: the persistent volume claim that holds the sweep's folder." };

    private static readonly Option<string> MountPath = new("--mount-path") { Description = "kubernetes: where the claim is mounted; the sweep's folder in the pods.", DefaultValueFactory = _ => "/runs" };

    private static readonly FolderOptions Folder = new();

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("sweep",
        "Search with K seeds x each strategy and evaluate every found genotype under one budget, each task in ROOT/STRATEGY/seed-N/{search,evaluate}; " +
        "locally, or as a Slurm job array or a Kubernetes Indexed Job. Run it again to continue; then `aggregate` summarises the folders.",
        [
            Seeds, FirstSeed, Strategies, DataOption, Epochs, BatchSize, Channels, Layers, StepsPerEpoch, Candidates, EvalEpochs, EvalBatchSize, EvalChannels,
            EvalLayers, EvalStepsPerEpoch, EvalTestSteps, EvalCutout, EvalNoAuxiliary, Runner, Parallel, Executable, Output, JobName, SlurmPartition,
            SlurmTime, SlurmOption, Image, VolumeClaim, MountPath, Space, Table, .. Folder.All, .. CommonOptions.All,
        ],
        Run);

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        var common = CommonOptions.Read(p, fitToLoad: false); // the tasks fit themselves to the load where they run
        var console = new QualityConsole(common.Quiet, common.Json);
        string runner = p.GetValue(Runner)!.Trim().ToLowerInvariant();
        if (runner is not ("local" or "slurm" or "kubernetes")) throw new ArgumentException($"--runner '{runner}' is not known; use local, slurm or kubernetes.");
        int seeds = p.GetValue(Seeds);
        if (seeds < 1) throw new ArgumentException($"--seeds must be at least 1, not {seeds}.");
        int? parallel = p.GetValue(Parallel);
        if (parallel is < 1) throw new ArgumentException($"--parallel must be at least 1, not {parallel}.");
        string[] strategies = [.. p.GetValue(Strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant())];
        if (p.GetResult(Candidates) is { Implicit: false } && !strategies.Contains("random-ws"))
            throw new ArgumentException("--candidates applies to the random-ws strategy only.");
        string data = p.GetValue(DataOption)!;
        CheckData(data, local: runner != "kubernetes");
        string space = SpaceOption.Read(p.GetValue(Space)!);
        if (UserSpace.IsSpec(space))
            throw new ArgumentException($"sweep runs the built-in spaces (darts, macro, nb201); search a model of your own ({UserSpace.Label(space)}) with search --space ASSEMBLY.dll:Type --seed N, one run per seed.");
        if (space != "darts" && strategies.Contains("one-stage"))
            throw new ArgumentException($"A sweep of --space {space} runs two-stage, darts, random or random-ws; --strategies lists one-stage, which a sweep runs on the DARTS cell only (search --space {space} -s one-stage runs it alone).");
        string? table = p.GetValue(Table);
        if (table is not null && (runner != "kubernetes" || space == "darts")) SpaceOption.LoadTable(space, table); // a wrong table fails now, with one line
        List<string> spaceArguments = space == "darts" ? [] : ["--space", space];
        List<string> tableArguments = table is null ? [] : ["--table", runner == "kubernetes" ? table : Path.GetFullPath(table)];

        string output = Path.GetFullPath(RunOutput.CheckFolder(p.GetValue(Output) ?? Path.Combine("runs", $"sweep-{DateTime.Now:yyyyMMdd-HHmmss}"), "--output"));
        string root = output;
        string? image = null, claim = null;
        if (runner == "kubernetes")
        {
            image = p.GetValue(Image) ?? throw new ArgumentException("--runner kubernetes needs --image (the container image holding the CLI).");
            claim = p.GetValue(VolumeClaim) ?? throw new ArgumentException("--runner kubernetes needs --volume-claim (the persistent volume claim for the sweep's folder).");
            root = p.GetValue(MountPath)!.TrimEnd('/');
            if (!root.StartsWith('/')) throw new ArgumentException($"--mount-path must be an absolute path in the container, not '{p.GetValue(MountPath)}'.");
        }
        else
        {
            foreach (Option o in new Option[] { Image, VolumeClaim })
                if (p.GetResult(o) is { Implicit: false }) throw new ArgumentException($"{o.Name} applies to --runner kubernetes only.");
        }

        if (runner != "slurm")
            foreach (Option o in new Option[] { SlurmPartition, SlurmTime, SlurmOption })
                if (p.GetResult(o) is { Implicit: false }) throw new ArgumentException($"{o.Name} applies to --runner slurm only.");

        IReadOnlyList<string> executable = p.GetValue(Executable) is string given
            ? CliExecutable.Parse(given, "--executable")
            : runner == "kubernetes" ? ["dotnet", "/app/IstaNas.Cli.dll"] : CliExecutable.Self();
        int threads = common.Threads > 0 ? common.Threads : runner == "local" ? Math.Max(1, Environment.ProcessorCount / (parallel ?? 1)) : 0;
        var plan = new SweepPlan(root, executable, [.. Enumerable.Range(0, seeds).Select(i => (long)p.GetValue(FirstSeed) + i)], strategies,
            [.. SearchArguments(p, data), .. spaceArguments, .. tableArguments], Given(p, [Candidates]), [.. EvaluateArguments(p, data), .. spaceArguments],
            ChildArguments(common, threads));

        // The scheduler's file is made (its values checked) before anything is written, so a refused value leaves no files.
        string? scheduled = runner switch
        {
            "slurm" => SlurmScript.Create(plan, p.GetValue(JobName)!, parallel, threads > 0 ? threads : null, p.GetValue(SlurmTime), p.GetValue(SlurmPartition),
                p.GetValue(SlurmOption) ?? []),
            "kubernetes" => KubernetesManifest.Create(plan, p.GetValue(JobName)!, image!, claim!, root, parallel, threads > 0 ? threads : null),
            _ => null,
        };
        Directory.CreateDirectory(output);
        string planPath = Path.Combine(output, SweepPlan.FileName);
        string json = plan.ToJson();
        if (File.Exists(planPath) && !SameTasks(File.ReadAllText(planPath), json))
            throw new ArgumentException($"'{output}' holds a sweep with other settings ({SweepPlan.FileName}); give the same options to continue it, or another --output.");
        WriteOrFail(planPath, json);

        switch (runner)
        {
            case "slurm":
                {
                    Directory.CreateDirectory(Path.Combine(output, "logs"));
                    string script = Path.Combine(output, SlurmScript.FileName);
                    WriteOrFail(script, scheduled!);
                    MakeExecutable(script);
                    return Written(console, "slurm", plan, [planPath, script],
                        $"Submit with: sbatch {script}  (submit it again to continue what did not finish); then: aggregate --input {output}");
                }

            case "kubernetes":
                {
                    string manifest = Path.Combine(output, KubernetesManifest.FileName);
                    WriteOrFail(manifest, scheduled!);
                    return Written(console, "kubernetes", plan, [planPath, manifest],
                        $"Apply with: kubectl apply -f {manifest}  (to continue: kubectl delete job {p.GetValue(JobName)}, then apply again); " +
                        $"then aggregate a copy of the volume: aggregate --input DIR");
                }

            default:
                return RunLocally(console, plan, parallel ?? 1, output, cancellationToken);
        }
    }

    private static int RunLocally(QualityConsole console, SweepPlan plan, int parallel, string output, CancellationToken cancellationToken)
    {
        console.Line($"Sweep of {Describe(plan)} in {output}, {parallel} at a time.");
        LocalRunner.Outcome outcome = LocalRunner.Run(plan, parallel, console, cancellationToken);
        SweepAggregate aggregate = SweepAggregate.Read(output);
        SavedFiles saved = aggregate.Write(output);
        console.Event("done", new JsonObject
        {
            ["command"] = "sweep",
            ["runner"] = "local",
            ["tasks"] = plan.Tasks.Count,
            ["finished"] = outcome.Finished,
            ["failures"] = JsonSerializer.SerializeToNode(outcome.Failures),
            ["cancelled"] = outcome.Cancelled,
            ["files"] = JsonSerializer.SerializeToNode(saved.Written),
            ["failedFiles"] = JsonSerializer.SerializeToNode(saved.Failed, JsonFormat.Compact),
        });
        console.Result(AggregateCommand.Table(aggregate));
        console.Result($"{outcome.Finished} of {plan.Tasks.Count} tasks finished{(outcome.Cancelled ? "; cancelled: run the same command again to continue" : string.Empty)}. " +
                       $"Summary: {Path.Combine(output, "summary.md")}");
        foreach (string failure in outcome.Failures) Console.Error.WriteLine($"error: {failure}");
        QualityConsole.Failures(saved.Failed);
        return outcome.Cancelled ? 130 : outcome.Failures.Count > 0 || !saved.AllWritten ? 1 : 0;
    }

    private static int Written(QualityConsole console, string runner, SweepPlan plan, string[] files, string next)
    {
        console.Event("done", new JsonObject
        {
            ["command"] = "sweep",
            ["runner"] = runner,
            ["tasks"] = plan.Tasks.Count,
            ["files"] = JsonSerializer.SerializeToNode(files),
        });
        console.Result($"Wrote {string.Join(" and ", files)}: {Describe(plan)}.");
        console.Result(next);
        return 0;
    }

    /// <summary>"4 tasks (2 seeds x two-stage, random)".</summary>
    private static string Describe(SweepPlan plan) =>
        $"{plan.Tasks.Count} task{(plan.Tasks.Count == 1 ? string.Empty : "s")} ({plan.Seeds.Count} seed{(plan.Seeds.Count == 1 ? string.Empty : "s")} x {string.Join(", ", plan.Strategies)})";

    /// <summary>The explicitly given options, as arguments of the same names.</summary>
    private static List<string> Given(ParseResult p, IEnumerable<Option> options)
    {
        var args = new List<string>();
        foreach (Option o in options)
        {
            if (p.GetResult(o) is not { Implicit: false }) continue;
            object? value = o switch
            {
                Option<int?> i => p.GetValue(i),
                Option<bool> b => p.GetValue(b),
                _ => throw new InvalidOperationException($"{o.Name}: unexpected option type."),
            };
            if (value is bool flag)
            {
                if (flag) args.Add(o.Name);
            }
            else if (value is int n)
            {
                if (n < 0 || (n == 0 && o != EvalCutout)) throw new ArgumentException($"{o.Name} must be positive, not {n}.");
                args.AddRange([o.Name, n.ToString(CultureInfo.InvariantCulture)]);
            }
        }

        return args;
    }

    private static List<string> SearchArguments(ParseResult p, string data) =>
        [.. (string[])["--data", data], .. Given(p, [Epochs, BatchSize, Channels, Layers, StepsPerEpoch]), .. FolderArguments(p)];

    private static List<string> EvaluateArguments(ParseResult p, string data)
    {
        var args = new List<string> { "--data", data };
        (Option<int?> Sweep, string Evaluate)[] renamed =
        [
            (EvalEpochs, "--epochs"), (EvalBatchSize, "--batch-size"), (EvalChannels, "--channels"), (EvalLayers, "--layers"),
            (EvalStepsPerEpoch, "--steps-per-epoch"), (EvalTestSteps, "--test-steps"), (EvalCutout, "--cutout"),
        ];
        foreach (var (option, name) in renamed)
        {
            List<string> given = Given(p, [option]);
            if (given.Count == 2) args.AddRange([name, given[1]]);
        }

        if (p.GetValue(EvalNoAuxiliary)) args.Add("--no-auxiliary");
        args.AddRange(FolderArguments(p));
        return args;
    }

    /// <summary>The --data folder:DIR options given, for both steps.</summary>
    private static List<string> FolderArguments(ParseResult p)
    {
        var args = new List<string>();
        if (p.GetResult(Folder.ImageSize) is { Implicit: false } && p.GetValue(Folder.ImageSize) is int size)
            args.AddRange([Folder.ImageSize.Name, size.ToString(CultureInfo.InvariantCulture)]);
        foreach (Option<bool> flag in new[] { Folder.Grayscale, Folder.CenterCrop, Folder.SkipBadImages })
            if (p.GetValue(flag)) args.Add(flag.Name);
        if (args.Count > 0 && DataSpec.Split(p.GetValue(DataOption)!).Kind != "folder")
            throw new ArgumentException($"{args[0]} applies to --data folder:DIR only.");
        return args;
    }

    private static List<string> ChildArguments(CommonOptions.Values common, int threads)
    {
        var args = new List<string> { "--quiet" };
        if (threads > 0) args.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
        if (!string.Equals(common.Device, "cpu", StringComparison.OrdinalIgnoreCase)) args.AddRange(["--device", common.Device]);
        return args;
    }

    /// <summary>A data spec both search and evaluate accept; on this machine (local, slurm) its folder or files must exist.</summary>
    private static void CheckData(string spec, bool local)
    {
        (string kind, string rest) = DataSpec.Split(spec);
        switch (kind)
        {
            case "synthetic":
                if (rest.Length > 0 && (!int.TryParse(rest, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 10))
                    throw new ArgumentException($"--data synthetic:{rest}: the count must be an integer of at least 10.");
                break;
            case "cifar10" or "cifar100" or "folder":
                if (local) DataSpec.RequireDirectory(rest, kind);
                break;
            case "idx":
                string[] parts = rest.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is not (2 or 4) || parts.Any(string.IsNullOrEmpty))
                    throw new ArgumentException("--data idx: needs IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS.");
                if (parts.Length == 4) throw new ArgumentException("--data idx with a separate test pair is evaluate's form only; a sweep's search needs IMAGES,LABELS.");
                if (local && parts.FirstOrDefault(f => !File.Exists(f)) is string missing) throw new ArgumentException($"--data idx: file '{missing}' does not exist.");
                break;
            default:
                throw new ArgumentException($"--data '{spec}' is not known; use synthetic[:COUNT], cifar10:DIR, cifar100:DIR, idx:IMAGES,LABELS or folder:DIR.");
        }
    }

    private static bool SameTasks(string existing, string planned)
    {
        try
        {
            using JsonDocument a = JsonDocument.Parse(existing), b = JsonDocument.Parse(planned);
            return a.RootElement.TryGetProperty("tasks", out JsonElement ta) && JsonElement.DeepEquals(ta, b.RootElement.GetProperty("tasks"))
                && a.RootElement.TryGetProperty("root", out JsonElement ra) && ra.GetString() == b.RootElement.GetProperty("root").GetString();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    /// <summary>Writes one file of the sweep atomically; a failure ends the command with a one-line error naming the file.</summary>
    private static void WriteOrFail(string path, string contents)
    {
        var files = new RunFileWriter(Path.GetDirectoryName(Path.GetFullPath(path))!);
        files.Text(Path.GetFileName(path), contents);
        if (files.Finish().Failed is [var failure, ..])
            throw new IOException($"could not write '{failure.Path}': {failure.Reason}");
    }
}
