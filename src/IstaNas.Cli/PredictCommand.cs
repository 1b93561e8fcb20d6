using System.CommandLine;
using System.Globalization;
using IstaNas.Data;
using IstaNas.Evaluation;

namespace IstaNas.Cli;

/// <summary>The <c>predict</c> command: classify image files with a trained network and print the top classes of each.</summary>
internal static class PredictCommand
{
    private static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "The trained network: a model.ckpt written by evaluate or a one-stage search, or the run folder holding it.",
        Required = true,
    };

    private static readonly Option<string> Images = new("--images", "-i")
    {
        Description = "An image file (PNG, JPEG or BMP), or a folder: its image files and those of its subfolders, in ordinal order of their paths.",
        Required = true,
    };

    private static readonly Option<int> Top = new("--top", "-k") { Description = "Classes listed per image (at most the class count).", DefaultValueFactory = _ => 5 };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object per image ({\"file\", \"top\": [{\"class\", \"name\", \"probability\"}]}) instead of text." };

    /// <summary>Builds the command.</summary>
    public static Command Create() => CommandSetup.Create("predict",
        "Classify images with a trained network: each file is resized and cropped as the network's training images were, and its most " +
        "probable classes are printed with their probabilities.",
        [Model, Images, Top, Json],
        Run);

    private static int Run(ParseResult p, CancellationToken cancellationToken)
    {
        string model = p.GetValue(Model)!, images = p.GetValue(Images)!;
        int top = p.GetValue(Top);
        if (top < 1) throw new ArgumentException($"--top must be at least 1, not {top}.");
        model = ModelPath.Resolve(model);
        string[] files = Files(images);

        using TrainedNetwork trained = SpaceEvaluation.Load(model);
        NnpackNotice.CheckSilently(); // libtorch is loaded, no convolution has run: no "Could not initialize NNPACK!" lines
        if (trained.ImageHeight is null)
            throw new ArgumentException($"--model '{model}' does not record the image size it was trained on, so image files cannot be prepared for it.");
        bool json = p.GetValue(Json);
        if (files.Length == 1 && File.Exists(images))
        {
            Prediction only = trained.PredictFiles(files, top)[0]; // one file named: a bad one is the command's error
            Console.Out.WriteLine(json ? JsonLine(files[0], only) : TextLine(files[0], only));
            return 0;
        }

        // A folder: every readable image is classified; the unreadable ones are listed, and the exit code says some were.
        var bad = new List<(string File, string Reason)>();
        foreach (string[] chunk in files.Chunk(64))
        {
            if (cancellationToken.IsCancellationRequested) return 130;
            foreach (var (file, prediction, reason) in Classify(trained, chunk, top))
            {
                if (prediction is not null) Console.Out.WriteLine(json ? JsonLine(file, prediction) : TextLine(file, prediction));
                else bad.Add((file, reason!));
            }
        }

        if (bad.Count == 0) return 0;
        foreach (var (file, reason) in bad)
            Console.Error.WriteLine(json ? System.Text.Json.JsonSerializer.Serialize(new { file, error = reason }) : $"unreadable: {file}: {reason}");
        Console.Error.WriteLine($"error: {bad.Count} of {files.Length} images could not be read (listed above); {(files.Length - bad.Count == 1 ? "the other one is" : $"the other {files.Length - bad.Count} are")} classified.");
        return 1;
    }

    /// <summary>Classifies a chunk at once; when a file in it cannot be read, each file alone, so that the good ones still are.</summary>
    private static IEnumerable<(string File, Prediction? Prediction, string? Reason)> Classify(TrainedNetwork trained, string[] chunk, int top)
    {
        IReadOnlyList<Prediction>? all = null;
        try
        {
            all = trained.PredictFiles(chunk, top);
        }
        catch (Exception ex) when (ex is DataFormatException or IOException or UnauthorizedAccessException)
        {
            // one or more unreadable files: go file by file below
        }

        for (int i = 0; i < chunk.Length; i++)
        {
            if (all is not null)
            {
                yield return (chunk[i], all[i], null);
                continue;
            }

            Prediction? one = null;
            string? reason = null;
            try
            {
                one = trained.PredictFiles([chunk[i]], top)[0];
            }
            catch (Exception ex) when (ex is DataFormatException or IOException or UnauthorizedAccessException)
            {
                reason = ex is DataFormatException d ? d.Problem : ex.Message;
            }

            yield return (chunk[i], one, reason);
        }
    }

    /// <summary>The image files named by --images: one file, or every image file under a folder.</summary>
    private static string[] Files(string images)
    {
        if (File.Exists(images)) return [images];
        if (!Directory.Exists(images)) throw new ArgumentException($"--images '{images}': no such file or folder.");
        string[] files = Directory.EnumerateFiles(images, "*", SearchOption.AllDirectories)
            .Where(f => ImageDataset.ImageFileExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return files.Length > 0
            ? files
            : throw new ArgumentException($"--images '{images}' holds no image file ({string.Join(", ", ImageDataset.ImageFileExtensions)}).");
    }

    private static string TextLine(string file, Prediction prediction) =>
        file + ": " + string.Join(", ", prediction.Top.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Probability:P1}")));

    private static string JsonLine(string file, Prediction prediction) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            file,
            top = prediction.Top.Select(s => new { @class = s.Index, name = s.Name, probability = s.Probability }),
        });
}
