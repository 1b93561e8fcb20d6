using System.CommandLine;
using System.Globalization;
using IstaNas.Evaluation;

namespace IstaNas.Cli;

/// <summary>The <c>export</c> command: write a trained network (model.ckpt) as an ONNX model or as safetensors weights under DARTS' names, or print its genotype in DARTS form.</summary>
internal static class ExportCommand
{
    private static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "The trained network: a model.ckpt written by evaluate or by a one-stage search, or the run folder holding it.",
        Required = true,
    };

    private static readonly Option<string?> Onnx = new("--onnx") { Description = "Write the network as an ONNX model (opset 13) to this file." };

    private static readonly Option<string?> Safetensors = new("--safetensors")
    {
        Description = "Write the weights as safetensors under the parameter names of DARTS' cnn/model.py (NetworkCIFAR / NetworkImageNet), for load_state_dict(strict=True).",
    };

    private static readonly Option<string?> Reference = new("--reference")
    {
        Description = $"Write {ReferenceBatch.Count} fixed random (normalised) input images and the network's evaluation-mode logits for them to this JSON file, to check a copy of the network against.",
    };

    private static readonly Option<bool> DartsString = new("--darts-string")
    {
        Description = "Print the network's genotype in DARTS form: Genotype(normal=[...], normal_concat=..., reduce=[...], reduce_concat=...).",
    };

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("export",
        "Export a trained network: --onnx writes an ONNX model (input 'images' [batch, C, H, W] normalised as in training, output 'logits'; " +
        "class names and normalisation in its metadata), --safetensors writes the weights under DARTS' model.py names, " +
        "--reference writes a check batch, --darts-string prints the genotype as DARTS' genotypes.py does.",
        [Model, Onnx, Safetensors, Reference, DartsString],
        (p, _) => Run(p));

    private static int Run(ParseResult p)
    {
        string model = ModelPath.Resolve(p.GetValue(Model)!);
        string? onnx = p.GetValue(Onnx);
        string? safetensors = p.GetValue(Safetensors), reference = p.GetValue(Reference);
        bool darts = p.GetValue(DartsString);
        if (onnx is null && safetensors is null && reference is null && !darts)
            throw new ArgumentException("Nothing to export: give --onnx <file>, --safetensors <file>, --reference <file>, --darts-string, or several.");
        foreach (var (name, value) in new[] { ("--onnx", onnx), ("--safetensors", safetensors), ("--reference", reference) })
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} needs a file name.");
        }

        using TrainedNetwork trained = SpaceEvaluation.Load(model);
        NnpackNotice.CheckSilently(); // libtorch is loaded, no convolution has run: no "Could not initialize NNPACK!" lines
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

        if (safetensors is not null)
        {
            Write(safetensors, "safetensors weights", () => trained.ExportSafetensors(safetensors));
            Console.Out.WriteLine($"Wrote {safetensors}: weights under the names of DARTS' cnn/model.py {(trained.Network.Layout == Networks.NetworkLayout.ImageNet ? "NetworkImageNet" : "NetworkCIFAR")} " +
                "(genotype, C, layers, auxiliary and classes in its metadata); tools/darts-reference/check_safetensors.py checks a load.");
        }

        if (reference is not null)
        {
            Write(reference, "reference batch", () => ReferenceBatch.Write(trained, reference));
            Console.Out.WriteLine($"Wrote {reference}: {ReferenceBatch.Count} input images and the network's evaluation-mode logits for them.");
        }

        if (darts)
            Console.Out.WriteLine(trained.Genotype.ToDartsString());
        return 0;
    }

    private static void Write(string path, string what, Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot write the {what} '{path}': {ex.Message}", ex);
        }
    }

    private static string List(IReadOnlyList<float> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
