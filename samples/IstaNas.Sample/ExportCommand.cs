using System.CommandLine;
using System.Globalization;
using IstaNas.Evaluation;

namespace IstaNas.Sample;

/// <summary>The <c>export</c> command: write a trained network (model.ckpt) as an ONNX model, or print its genotype in DARTS form.</summary>
internal static class ExportCommand
{
    private static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "The trained network: a model.ckpt written by evaluate or by a one-stage search, or the run folder holding it.",
        Required = true,
    };

    private static readonly Option<string?> Onnx = new("--onnx") { Description = "Write the network as an ONNX model (opset 13) to this file." };

    private static readonly Option<bool> DartsString = new("--darts-string")
    {
        Description = "Print the network's genotype in DARTS form: Genotype(normal=[...], normal_concat=..., reduce=[...], reduce_concat=...).",
    };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("export",
            "Export a trained network: --onnx writes an ONNX model (input 'images' [batch, C, H, W] normalised as in training, output 'logits'; " +
            "class names and normalisation in its metadata), --darts-string prints the genotype as DARTS' genotypes.py does.");
        command.Options.Add(Model);
        command.Options.Add(Onnx);
        command.Options.Add(DartsString);
        command.SetAction(RunAsync);
        return command;
    }

    /// <summary>Runs the export as the parsed options say; returns the exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken) =>
        Task.FromResult(CommandErrors.Guard(() => Run(parse)));

    private static int Run(ParseResult p)
    {
        string model = ModelPath.Resolve(p.GetValue(Model)!);
        string? onnx = p.GetValue(Onnx);
        bool darts = p.GetValue(DartsString);
        if (onnx is null && !darts)
            throw new ArgumentException("Nothing to export: give --onnx <file>, --darts-string or both.");
        if (onnx is not null && string.IsNullOrWhiteSpace(onnx))
            throw new ArgumentException("--onnx needs a file name.");

        using TrainedNetwork trained = TrainedNetwork.Load(model);
        if (onnx is not null)
        {
            try
            {
                trained.ExportOnnx(onnx);
            }
            catch (Exception ex) when (ex is IOException or NotSupportedException)
            {
                throw new InvalidOperationException($"Cannot write the ONNX model '{onnx}': {ex.Message}", ex);
            }

            string size = trained.ImageHeight is int h && trained.ImageWidth is int w
                ? string.Create(CultureInfo.InvariantCulture, $"{h}, {w}")
                : "height, width";
            ModelMetadata m = trained.Metadata;
            string resize = m.ResizeSize is int r
                ? string.Create(CultureInfo.InvariantCulture, $"bring each image to {r} x {r} ({(m.ResizeMode == Data.ImageResizeMode.CenterCrop ? "shorter side to " + r + ", central square" : "stretched")}) and keep its central {size.Replace(", ", " x ")}, then ")
                : string.Empty;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {onnx}: input 'images' [batch, {trained.InputChannels}, {size}], output 'logits' [batch, {trained.ClassNames.Count}]; " +
                $"{resize}normalise pixels as (pixel / 255 - mean) / std with mean [{List(trained.Mean)}], std [{List(trained.Std)}]."));
        }

        if (darts)
            Console.Out.WriteLine(trained.Genotype.ToDartsString());
        return 0;
    }

    private static string List(IReadOnlyList<float> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
