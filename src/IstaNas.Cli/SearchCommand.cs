using System.CommandLine;
using System.Globalization;
using IstaNas.Checkpoints;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using IstaNas.Training;
using IstaNas.Visualization;

namespace IstaNas.Cli;

/// <summary>The <c>search</c> command.</summary>
internal static class SearchCommand
{
    private static readonly Option<string> Strategy = new("--strategy", "-s")
    {
        Description = "Search strategy: two-stage (ISTA-NAS), one-stage (search and train in one run), darts (first-order DARTS baseline) or random " +
                      "(the chance baseline: a seeded uniform draw; with --weight-sharing, random search with weight sharing).",
        DefaultValueFactory = _ => "two-stage",
    };

    private static readonly Option<string> DataOption = new("--data", "-d")
    {
        Description = "Data set: " + DataSpec.Help + ".",
        DefaultValueFactory = _ => "synthetic",
    };

    private static readonly Option<int> Epochs = new("--epochs", "-e")
    {
        Description = "Search epochs (the paper: 50 two-stage; one-stage: 600 training epochs after the search). Default 10, sized for a 2-core CPU (--preset paper: the paper's). " +
                      "With --resume, a larger value extends the run (the cosine schedule is recomputed for the new total).",
        DefaultValueFactory = _ => 10,
    };

    private static readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Minibatch size (the authors' script default: 64; their published commands: 256 two-stage, 96 one-stage).", DefaultValueFactory = _ => 32 };

    private static readonly Option<int> Channels = new("--channels", "-C") { Description = "Initial channels C (the paper: 16 two-stage, 36 one-stage).", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> Layers = new("--layers", "-L") { Description = "Cells L, at least 3 (the paper: 8 two-stage, 20 one-stage).", DefaultValueFactory = _ => 5 };

    private static readonly Option<int?> StepsPerEpoch = new("--steps-per-epoch") { Description = "Cap on minibatches per epoch (default: the whole split)." };

    private static readonly Option<int> ProjectionDims = new("--projection-dims", "-m") { Description = "Rows m of every measurement matrix A.", DefaultValueFactory = _ => 7 };

    private static readonly Option<int> Sparsity = new("--sparsity") { Description = "Candidates kept per node s.", DefaultValueFactory = _ => 2 };

    private static readonly Option<string> Matrix = new("--matrix")
    {
        Description = "Measurement matrices: uniform (the authors') or gaussian (column-normalised).",
        DefaultValueFactory = _ => "uniform",
    };

    private static readonly Option<bool> Cutout = new("--cutout") { Description = "Cutout (16x16) on training batches." };

    private static readonly Option<int?> MaxSearchEpochs = new("--max-search-epochs")
    {
        Description = "One-stage: cap on search epochs (nodes still moving are frozen, with a warning). Default: --epochs, so that a small run ends; " +
                      "the library's default is no cap, as the authors.",
    };

    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of A, b, weights, data and augmentation.", DefaultValueFactory = _ => 0 };

    private static readonly Option<string?> Preset = new("--preset")
    {
        Description = "paper: start from the command the authors published for the strategy and their script's seed (two-stage: train_search.py --batch_size 256 " +
                      "--learning_rate 0.1 --arch_learning_rate 6e-4, C=16 L=8, 50 epochs, seed 2; one-stage: train_search_single.py --cutout --auxiliary, C=36 L=20, " +
                      "batch 96, 600 epochs, seed 5); options given explicitly override it. Without it the settings are sized for a 2-core CPU.",
    };

    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the effective settings and exit without searching or writing anything." };

    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Output directory (default runs/<strategy>-<time>; with --resume, the checkpoint's folder)." };

    private static readonly FolderOptions Folder = new();

    private static readonly RandomSearchOptions Random = new();

    private static readonly Option<string?> Resume = new("--resume")
    {
        Description = "Continue the run saved in this checkpoint with the options stored in it (give --epochs to extend it; other options must match).",
    };

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("search",
        "Search an architecture and write genotype.json/.txt, history.csv/.json, search_space.json, result.json, the checkpoint, cell pictures and plots " +
        "to the output directory.",
        [
            Strategy, DataOption, Epochs, BatchSize, Channels, Layers, StepsPerEpoch, ProjectionDims, Sparsity, Matrix, Cutout, MaxSearchEpochs,
            Seed, Preset, DryRun, Output, Resume, SpaceOption.Space, SpaceOption.Table, .. Folder.All, .. Random.All, TensorBoardOption.Option, .. CommonOptions.All,
        ],
        Run);

    /// <summary>Runs a search as the parsed options say; returns the exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken) => CommandSetup.Guarded(parse, cancellationToken, Run);

    /// <summary>An option only some strategies read, given to another, is refused (it would be ignored without a word).</summary>
    private static void RefuseOtherStrategies(ParseResult p, string strategy)
    {
        foreach (var (option, readers) in new (Option Option, string[] Readers)[]
                 {
                     (MaxSearchEpochs, ["one-stage"]), (ProjectionDims, ["two-stage", "one-stage"]), (Matrix, ["two-stage", "one-stage"]),
                     (Sparsity, ["two-stage", "one-stage", "random"]),
                 })
            if (p.GetResult(option) is { Implicit: false } && !readers.Contains(strategy))
                throw new ArgumentException($"{option.Name} applies to --strategy {string.Join(" or ", readers)} only, not {strategy}.");
    }

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        var common = CommonOptions.Read(p);
        string? resume = p.GetValue(Resume);
        bool Given(Option option) => resume is null || p.GetResult(option) is { Implicit: false };
        var builder = new SearchBuilder();
        string dataSpec = p.GetValue(DataOption)!;
        string strategy = p.GetValue(Strategy)!.Trim().ToLowerInvariant();
        int dataSeed = p.GetValue(Seed);
        IReadOnlyDictionary<string, string>? stored = null;
        if (resume is not null)
        {
            builder.ContinueFrom(resume); // fails with a one-line CheckpointException before any output is made
            CheckpointInfo info = CheckpointInfo.Read(resume);
            string kind = info.Kind;
            if (p.GetResult(Strategy) is { Implicit: false } && strategy != kind)
                throw new ArgumentException($"--resume '{resume}' is a {kind} checkpoint, not {strategy}.");
            strategy = kind;
            stored = info.Annotations;
            if (!Given(DataOption))
                dataSpec = stored.GetValueOrDefault("data") ?? throw new ArgumentException($"--resume '{resume}' does not say which data it used; give --data.");
            if (!Given(Seed) && int.TryParse(stored.GetValueOrDefault("dataSeed"), out int storedSeed)) dataSeed = storedSeed;
        }
        else if (strategy is not ("two-stage" or "one-stage" or "darts" or "random"))
        {
            throw new ArgumentException($"--strategy '{strategy}' is not known; use two-stage, one-stage, darts or random.");
        }

        Random.Check(p, strategy, resuming: resume is not null);
        RefuseOtherStrategies(p, strategy);
        bool explicitlyGiven(Option option) => p.GetResult(option) is { Implicit: false };
        string? presetName = p.GetValue(Preset)?.Trim().ToLowerInvariant();
        if (presetName is not (null or SearchPreset.Paper))
            throw new ArgumentException($"--preset '{p.GetValue(Preset)}' is not known; use {SearchPreset.Paper}.");
        if (presetName is not null && resume is not null)
            throw new ArgumentException("--preset and --resume exclude each other: the checkpoint holds its settings.");
        (string Command, int Seed)? published = presetName is null ? null : SearchPreset.Published(strategy);
        // With a preset, only what is given explicitly overrides it; without, the CLI's small defaults apply.
        bool Set(Option option) => published is null ? Given(option) : explicitlyGiven(option);
        if (published is { } paper && !explicitlyGiven(Seed)) dataSeed = paper.Seed;
        bool Explicit(Option option) => p.GetResult(option) is { Implicit: false };
        string space = SpaceOption.Read(p.GetValue(SpaceOption.Space)!);
        string? spaceLabel = null; // what the settings line says instead of the DARTS cell's C, L, m and s
        int nbChannels = 16, nbCells = 5;
        if (stored is not null)
        {
            string storedSpace = stored.GetValueOrDefault("space") ?? "darts";
            if (Explicit(SpaceOption.Space) && space != storedSpace)
                throw new ArgumentException($"--resume '{resume}' searched the {storedSpace} space, not {space}.");
            space = storedSpace;
        }
        object? table = SpaceOption.LoadTable(space, p.GetValue(SpaceOption.Table));
        if (space != "darts")
        {
            if (presetName is not null)
                throw new ArgumentException($"--preset {presetName} is the authors' recipe for the DARTS cell, not for --space {space}.");
            bool own = UserSpace.IsSpec(space);
            if (Explicit(Sparsity))
                throw new ArgumentException(own
                    ? $"--sparsity applies to the DARTS cell's nodes; each choice of {UserSpace.Label(space)} says how many candidates it keeps (its picks)."
                    : $"--sparsity applies to the DARTS cell's nodes; every choice of --space {space} keeps 1 candidate.");
            if (space == "macro" && (Explicit(Channels) || Explicit(Layers)))
                throw new ArgumentException("--channels and --layers size the DARTS cell network; NAS-Bench-Macro's network has fixed widths and 8 layers.");
            if (own && (Explicit(Channels) || Explicit(Layers)))
                throw new ArgumentException($"--channels and --layers size the DARTS cell network; {UserSpace.Label(space)} sizes itself.");
            nbChannels = Explicit(Channels) ? p.GetValue(Channels) : int.Parse(stored?.GetValueOrDefault("nb201Channels") ?? "16", CultureInfo.InvariantCulture);
            nbCells = Explicit(Layers) ? p.GetValue(Layers) : int.Parse(stored?.GetValueOrDefault("nb201Cells") ?? "5", CultureInfo.InvariantCulture);
            if (space == "nb201" && (nbChannels < 1 || nbCells < 1))
                throw new ArgumentException($"--space nb201: --channels (C) and --layers (N cells per stage) must be positive, not {nbChannels} and {nbCells}.");
            builder.UseSpace(SpaceOption.Factory(space, nbChannels, nbCells, oneStage: strategy == "one-stage")).Annotate("space", space);
            spaceLabel = own
                ? $"{UserSpace.Label(space)} (a model of your own with choices)"
                : space == "nb201"
                ? $"NAS-Bench-201 {(strategy == "one-stage" ? "one-stage super-net (affine BN with running statistics)" : "search network")} C={nbChannels} N={nbCells} (6 shared edge choices of 5 operations, s=1)"
                : "NAS-Bench-Macro search network (8 layer choices of 3 blocks, s=1)";
            if (space == "nb201")
                builder.Annotate("nb201Channels", nbChannels.ToString(CultureInfo.InvariantCulture)).Annotate("nb201Cells", nbCells.ToString(CultureInfo.InvariantCulture));
        }

        int epochs = p.GetValue(Epochs);
        if (Given(Epochs) && epochs <= 0) throw new ArgumentException($"--epochs must be positive, not {epochs}.");
        MeasurementMatrixKind matrix = p.GetValue(Matrix)!.ToLowerInvariant() switch
        {
            "uniform" => MeasurementMatrixKind.Uniform,
            "gaussian" => MeasurementMatrixKind.Gaussian,
            string other => throw new ArgumentException($"--matrix '{other}' is not known; use uniform or gaussian."),
        };
        if (published is { } recipe && !explicitlyGiven(Seed)) builder.UseSeed(recipe.Seed);
        else if (Given(Seed)) builder.UseSeed(p.GetValue(Seed));
        builder.ConfigureSearchSpace(s =>
        {
            if (Given(ProjectionDims)) s.ProjectionDims = p.GetValue(ProjectionDims);
            if (Given(Sparsity)) s.Sparsity = p.GetValue(Sparsity);
            if (Given(Matrix)) s.Matrix = matrix;
        });
        Data.ImageFolderOptions folder = Folder.Read(p, dataSpec, stored);
        builder.UseDevice(common.Device).Annotate("data", dataSpec).Annotate("dataSeed", dataSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in Folder.Annotations) builder.Annotate(key, value);
        DataSpec.Apply(builder, dataSpec, dataSeed, folder);

        TrainingOptions effective = null!;
        void Configure(TrainingOptions o)
        {
            if (published is not null) SearchPreset.Apply(o);
            if (Set(Epochs)) o.Epochs = epochs;
            if (Set(BatchSize)) o.BatchSize = p.GetValue(BatchSize);
            if (space == "darts" && Set(Channels)) o.Channels = p.GetValue(Channels);
            if (space == "darts" && Set(Layers)) o.Layers = p.GetValue(Layers);
            if (Set(StepsPerEpoch)) o.MaxStepsPerEpoch = p.GetValue(StepsPerEpoch);
            if (Set(Cutout)) o.Cutout = p.GetValue(Cutout);
            effective = o; // the builder's own options object: what the run will use
        }

        switch (strategy)
        {
            case "two-stage": builder.UseTwoStage(Configure); break;
            case "one-stage":
                builder.UseOneStage(o =>
                {
                    Configure(o);
                    if (resume is null && space != "darts") (o.Auxiliary, o.DropPathProbability) = (false, 0); // the benchmark spaces' networks have neither
                    else if (resume is null) o.Auxiliary = true;
                    if (Given(MaxSearchEpochs) || resume is null) o.MaxSearchEpochs = p.GetValue(MaxSearchEpochs) ?? Math.Max(1, o.Epochs);
                });
                break;
            case "random":
                builder.UseRandom(o =>
                {
                    Configure(o);
                    Random.Apply(p, o);
                });
                break;
            default: builder.UseDarts(Configure); break;
        }

        if (p.GetValue(DryRun))
        {
            Search planned = builder.Build(); // validates every option and the data
            if (published is { } dry) Console.WriteLine($"preset {presetName}: {dry.Command}");
            Console.WriteLine("settings: " + SearchPreset.Describe(strategy, effective, planned.SearchSpace, planned.Seed, spaceLabel));
            return 0;
        }

        string output = p.GetValue(Output)
            ?? (resume is not null ? Path.GetDirectoryName(Path.GetFullPath(resume))! : Path.Combine("runs", $"{strategy}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        using var run = RunOutput.Open(output, "search.log");
        common.ApplyRuntime(run);
        effective.CheckpointDirectory = run.Directory;

        var console = new RunConsole(common.Quiet, common.Json);
        TensorBoardProgress? tensorBoard = null;
        builder.UseLogging(run.Loggers)
            .WithProgress(TensorBoardOption.Chain(console.Epoch, () => tensorBoard))
            .WithStepProgress(new InlineProgress<StepReport>(console.Step));
        Search search = builder.Build();
        using TensorBoardProgress? opened = tensorBoard = TensorBoardOption.Open(p, run.Loggers); // after Build: bad settings start no event file
        console.Header($"{search.StrategyName} search on {search.TrainingSet.Name} ({search.TrainingSet.Count} images, " +
                       $"{search.TrainingSet.ClassCount} classes); output: {run.Directory}");
        if (published is { } used) console.Line($"preset {presetName}: {used.Command}");
        console.Line("settings: " + SearchPreset.Describe(strategy, effective, search.SearchSpace, search.Seed, spaceLabel));

        SearchResult result = console.Run(() => search.Run(cancellationToken));
        if (space != "darts" && result.Model is not null && result.Metadata is { } trained) // so that export and predict rebuild the one-stage model
            result = result with { Metadata = trained with { Annotations = SpaceEvaluation.OneStageAnnotations(space, search.TrainingSet.ClassCount, nbChannels, nbCells) } };
        using (result.Model)
        {
            SavedFiles saved = result.Save(run.Directory);
            var pictures = RunPictures.Write(run.Directory, result);
            var files = new List<string>([.. saved.Written, .. pictures.Written]);
            if (SpaceOption.IsBenchmark(space) && result.Architecture is not null && !result.Cancelled)
                files.AddRange(Benchmark(run.Directory, space, result.Architecture, table, console));
            if (result.CheckpointPath is string checkpoint) files.Add(checkpoint);
            files.Add(run.LogPath);
            console.SearchSummary(result, files, [.. saved.Failed, .. pictures.Failed]);
            return result.Cancelled ? 130 : saved.AllWritten && pictures.AllWritten ? 0 : 1;
        }
    }

    /// <summary>Prints and saves the benchmark's encoding of the searched architecture and, with a table, its accuracy there.</summary>
    private static IEnumerable<string> Benchmark(string directory, string space, Choices.Architecture architecture, object? table, RunConsole console)
    {
        string encoding = SpaceOption.Encode(space, architecture);
        console.Line($"{(space == "macro" ? "NAS-Bench-Macro" : "NAS-Bench-201")} architecture: {encoding}");
        string text = Path.Combine(directory, "benchmark_architecture.txt");
        File.WriteAllText(text, encoding + Environment.NewLine);
        var fields = new System.Text.Json.Nodes.JsonObject { ["space"] = space, ["benchmarkArchitecture"] = encoding };
        if (table is not null)
        {
            var (json, line) = SpaceOption.Lookup(table, encoding);
            console.Line(line);
            fields["table"] = json;
        }
        SpaceOption.AddToResult(directory, fields);
        return [text];
    }
}
