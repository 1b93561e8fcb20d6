using System.CommandLine;
using System.Text.Json;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace IstaNas.Sample;

/// <summary>The <c>search</c> command.</summary>
internal static class SearchCommand
{
    private static readonly Option<string> Strategy = new("--strategy", "-s")
    {
        Description = "Search strategy: two-stage (ISTA-NAS, section 4), one-stage (search and train in one run, section 5) or darts (first-order DARTS baseline).",
        DefaultValueFactory = _ => "two-stage",
    };

    private static readonly Option<string> DataOption = new("--data", "-d")
    {
        Description = "Data set: " + DataSpec.Help + ".",
        DefaultValueFactory = _ => "synthetic",
    };

    private static readonly Option<int> Epochs = new("--epochs", "-e")
    {
        Description = "Search epochs (the paper: 50 two-stage). Default 10, sized for a 2-core CPU.",
        DefaultValueFactory = _ => 10,
    };

    private static readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Minibatch size (the paper: 64).", DefaultValueFactory = _ => 32 };

    private static readonly Option<int> Channels = new("--channels", "-C") { Description = "Initial channels C (the paper: 16).", DefaultValueFactory = _ => 8 };

    private static readonly Option<int> Layers = new("--layers", "-L") { Description = "Cells L (the paper: 8).", DefaultValueFactory = _ => 5 };

    private static readonly Option<int?> StepsPerEpoch = new("--steps-per-epoch") { Description = "Cap on minibatches per epoch (default: the whole split)." };

    private static readonly Option<int> ProjectionDims = new("--projection-dims", "-m") { Description = "Rows m of every measurement matrix A.", DefaultValueFactory = _ => 7 };

    private static readonly Option<int> Sparsity = new("--sparsity") { Description = "Candidates kept per node s.", DefaultValueFactory = _ => 2 };

    private static readonly Option<string> Matrix = new("--matrix")
    {
        Description = "Measurement matrices: uniform (the authors') or gaussian (column-normalised).",
        DefaultValueFactory = _ => "uniform",
    };

    private static readonly Option<bool> Cutout = new("--cutout") { Description = "Cutout (16x16) on training batches." };

    private static readonly Option<string> Device = CommonOptions.Device();

    private static readonly Option<int> Threads = CommonOptions.Threads();

    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of A, b, weights, data and augmentation.", DefaultValueFactory = _ => 0 };

    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Output directory (default runs/<strategy>-<time>)." };

    private static readonly Option<string?> Resume = new("--resume") { Description = "Continue the run saved in this checkpoint file." };

    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the final genotype." };

    private static readonly Option<bool> JsonLog = CommonOptions.Json();

    private static readonly FolderOptions Folder = new();

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("search", "Search an architecture and write genotype.json, history.csv/json, search_space.json, cell pictures (SVG, PNG) and plots (PNG) to the output directory.");
        foreach (Option o in new Option[] { Strategy, DataOption, Epochs, BatchSize, Channels, Layers, StepsPerEpoch, ProjectionDims, Sparsity, Matrix, Cutout, Device, Threads, Seed, Output, Resume, Quiet, JsonLog })
            command.Options.Add(o);
        foreach (Option o in Folder.All)
            command.Options.Add(o);
        command.SetAction(RunAsync);
        return command;
    }

    /// <summary>Runs a search as the parsed options say; returns the exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken) =>
        Task.FromResult(CommandErrors.Guard(() => Run(parse, cancellationToken)));

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        string strategy = p.GetValue(Strategy)!.Trim().ToLowerInvariant();
        int epochs = p.GetValue(Epochs), seed = p.GetValue(Seed);
        bool quiet = p.GetValue(Quiet), json = p.GetValue(JsonLog);
        if (epochs <= 0) throw new ArgumentException($"--epochs must be positive, not {epochs}.");
        int threads = CommonOptions.CheckThreads(p.GetValue(Threads));
        CommonOptions.ApplyThreads(threads);
        if (strategy is not ("two-stage" or "one-stage" or "darts"))
            throw new ArgumentException($"--strategy '{strategy}' is not known; use two-stage, one-stage or darts.");
        MeasurementMatrixKind matrix = p.GetValue(Matrix)!.ToLowerInvariant() switch
        {
            "uniform" => MeasurementMatrixKind.Uniform,
            "gaussian" => MeasurementMatrixKind.Gaussian,
            string other => throw new ArgumentException($"--matrix '{other}' is not known; use uniform or gaussian."),
        };
        Data.ImageFolderOptions folder = Folder.Read(p, p.GetValue(DataOption)!);
        string output = p.GetValue(Output) ?? Path.Combine("runs", $"{strategy}-{DateTime.Now:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(output);

        using var fileLog = new FileLoggerProvider(Path.Combine(output, "search.log"));
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddProvider(fileLog).AddProvider(DataWarnings.Instance).SetMinimumLevel(LogLevel.Information));

        void Configure(SearchTrainingOptions o)
        {
            o.Epochs = epochs;
            o.BatchSize = p.GetValue(BatchSize);
            o.Channels = p.GetValue(Channels);
            o.Layers = p.GetValue(Layers);
            o.MaxStepsPerEpoch = p.GetValue(StepsPerEpoch);
            o.Cutout = p.GetValue(Cutout);
            o.CheckpointDirectory = output;
        }

        var builder = new SearchBuilder()
            .UseSeed(seed)
            .UseDevice(p.GetValue(Device)!)
            .UseLogging(loggers)
            .ConfigureSearchSpace(s =>
            {
                s.ProjectionDims = p.GetValue(ProjectionDims);
                s.Sparsity = p.GetValue(Sparsity);
                s.Matrix = matrix;
            });
        DataSpec.Apply(builder, p.GetValue(DataOption)!, seed, folder);
        StrategyChoice.Apply(builder, strategy, Configure);
        if (p.GetValue(Resume) is string resume) builder.ResumeFrom(resume);

        var console = new RunConsole(quiet, json, epochs);
        builder.WithProgress(new InlineProgress<EpochReport>(console.Epoch)).WithStepProgress(new InlineProgress<StepReport>(console.Step));
        Search search = builder.Build();
        if (!quiet && !json)
            AnsiConsole.MarkupLine($"[bold]IstaNas[/] {Markup.Escape(search.Strategy.Name)} search on [green]{Markup.Escape(search.Context.Train.Name)}[/] " +
                                   $"({search.Context.Train.Count} images, {search.Context.Train.ClassCount} classes); output: {Markup.Escape(output)}");

        SearchResult result = console.Run(() => search.Run(cancellationToken));
        IReadOnlyList<string> files = [.. ResultWriter.Write(output, result), .. Visualization.RunPictures.Write(output, result)];
        if (result.Network is Networks.EvalNetwork network)
        {
            // One-stage search: the trained network of the genotype, alpha absorbed into its BNs, ready to use or fine-tune.
            using (network)
            {
                string model = Path.Combine(output, "model.ckpt");
                Evaluation.TrainedNetwork.Save(model, network, result.Genotype);
                files = [.. files, model];
            }
        }
        console.Summary(result, files);
        return result.Cancelled ? 130 : 0;
    }
}
