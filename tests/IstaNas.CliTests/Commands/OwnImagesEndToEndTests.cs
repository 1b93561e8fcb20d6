using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Formats;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Evaluation;
using IstaNas.Tests.Strategies;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.Commands;

/// <summary>
/// "Your own images in, a deployable model out", end to end: a generated folder of PNG, JPEG and BMP shapes is searched,
/// the genotype found is trained, the trained network is exported to ONNX, and ONNX Runtime gives the logits TorchSharp
/// gives on the folder's real test images, normalised as the exported model's metadata says. Once through the public API
/// and once through the CLI's search, evaluate and export commands.
/// </summary>
public class OwnImagesEndToEndTests(ITestOutputHelper log)
{
    private const int Size = 16;
    private static readonly string[] Classes = ["bar", "disc"];

    /// <summary>root/bar/*.png|jpg|bmp and root/disc/...: 24 shapes of each class (a fifth is held out for testing).</summary>
    private static string WriteShapes(string root)
    {
        TestImages.WriteFolder(root, Classes, perClass: 24, size: Size, draw: (shape, image) => TestImages.Shape(shape, Size, image));
        string[] files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".png", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".jpg", StringComparison.Ordinal));
        return root;
    }

    [Fact]
    public void ThroughTheApiAFoundArchitectureIsTrainedExportedAndRunsTheSameInOnnxRuntime()
    {
        using var dir = new TempDirectory();
        string images = WriteShapes(dir.File("shapes"));
        var folder = new ImageFolderOptions { ImageSize = Size };

        SearchResult found = new SearchBuilder()
            .UseImageFolder(images, folder)
            .UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 2))
            .UseSeed(7)
            .Build()
            .Run();
        Assert.False(found.Cancelled);

        var (train, test) = ImageFolder.LoadTrainTest(images, folder);
        Assert.Equal(Classes, train.ClassNames);
        var options = new EvaluationOptions
        {
            Epochs = 2, BatchSize = 8, Channels = 4, Layers = 3, MaxStepsPerEpoch = 2, MaxTestSteps = 1, Auxiliary = false, Seed = 3,
        };
        EvaluationResult evaluated = new EvaluationTrainer(found.Genotype!, options).Train(train, test);
        using var trained = new TrainedNetwork(evaluated.Network, evaluated.Genotype, evaluated.Metadata);
        Assert.Equal(found.Genotype, trained.Genotype);
        Assert.Equal(Classes, trained.ClassNames);
        Assert.Equal(train.Mean, trained.Mean);
        Assert.Equal(train.Std, trained.Std);

        string onnx = dir.File("deploy/model.onnx");
        trained.ExportOnnx(onnx);
        AssertRunsTheSameInOnnxRuntime(trained, onnx, test);
    }

    [Fact]
    public void ThroughTheCliSearchEvaluateAndExportGiveAModelThatRunsTheSameInOnnxRuntime()
    {
        using var dir = new TempDirectory();
        string images = WriteShapes(dir.File("shapes"));
        string data = $"folder:{images}", searchOutput = dir.File("search"), evaluateOutput = dir.File("evaluate"), onnx = dir.File("deploy/model.onnx");
        string[] tiny = ["--image-size", $"{Size}", "--batch-size", "8", "--channels", "4", "--layers", "3", "--threads", "1", "-q"];

        Run(["search", "--data", data, "--epochs", "1", "--steps-per-epoch", "2", "--output", searchOutput, .. tiny]);
        string genotype = Path.Combine(searchOutput, "genotype.json");
        Run(["evaluate", "--genotype", genotype, "--data", data, "--epochs", "1", "--steps-per-epoch", "2", "--test-steps", "1", "--no-auxiliary",
            "--output", evaluateOutput, .. tiny]);
        string model = Path.Combine(evaluateOutput, EvaluationResult.ModelFileName);
        Run(["export", "--model", model, "--onnx", onnx]);

        using var trained = TrainedNetwork.Load(model);
        Assert.Equal(Genotype.Load(genotype), trained.Genotype);
        Assert.Equal(Classes, trained.ClassNames);
        Assert.Equal((Size, Size), (trained.ImageHeight, trained.ImageWidth));
        var (_, test) = ImageFolder.LoadTrainTest(images, new ImageFolderOptions { ImageSize = Size });
        AssertRunsTheSameInOnnxRuntime(trained, onnx, test);
    }

    private static void Run(string[] args)
    {
        var (exit, _, err) = CommandLineTests.Run(args);
        Assert.True(exit == 0, $"istanas {string.Join(' ', args)}: exit {exit}, {err}");
    }

    /// <summary>
    /// The deployment contract: the model's metadata names the classes and the normalisation; the folder's test images,
    /// normalised by hand as the metadata says, give ONNX Runtime the logits TorchSharp computes in evaluation mode; and
    /// the softmax of those logits is what <see cref="TrainedNetwork.Predict"/> answers for the raw pixels.
    /// </summary>
    private void AssertRunsTheSameInOnnxRuntime(TrainedNetwork trained, string onnx, ImageDataset test)
    {
        using var session = OnnxTestHelpers.Session(onnx);
        IReadOnlyDictionary<string, string> metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(Classes, JsonSerializer.Deserialize<string[]>(metadata["class_names"]));
        float[] mean = JsonSerializer.Deserialize<float[]>(metadata["mean"])!, std = JsonSerializer.Deserialize<float[]>(metadata["std"])!;
        Assert.Equal(trained.Mean, mean);
        Assert.Equal(trained.Std, std);
        Assert.Equal($"{Size}", metadata["image_height"]);
        Assert.Equal($"{Size}", metadata["image_width"]);

        using var scope = NewDisposeScope();
        Tensor pixels = test.ToTensor();
        Assert.True(pixels.shape[0] >= 8, $"only {pixels.shape[0]} test images");
        Tensor images = (pixels.to(float32) / 255 - tensor(mean).view(1, -1, 1, 1)) / tensor(std).view(1, -1, 1, 1);
        double max = OnnxTestHelpers.MaxDifference(trained.Network, session, images);
        Tensor logits = OnnxTestHelpers.Run(session, images);
        double scale = logits.abs().max().ToDouble(), spread = (logits[.., 0] - logits[.., 1]).std().ToDouble();
        log.WriteLine($"{test.Count} test images: max |ONNX - TorchSharp| = {max:E2}, max |logit| {scale:E2}, std of the logit difference {spread:E2}");
        Assert.True(max < 1e-4, $"max |ONNX - TorchSharp| = {max}");
        // A briefly trained network has small logits: hold the difference to their scale too, and make sure they depend on the image.
        Assert.True(max < 1e-3 * scale, $"max |ONNX - TorchSharp| = {max} against logits of size {scale}");
        Assert.True(spread > 1e-4, $"the logits hardly depend on the image (std {spread}): the comparison would prove little");

        float[] onnxProbabilities = nn.functional.softmax(logits, 1).data<float>().ToArray();
        IReadOnlyList<Prediction> predictions = trained.Predict(pixels, topK: 1);
        for (int n = 0; n < predictions.Count; n++)
        {
            for (int c = 0; c < Classes.Length; c++)
                Assert.Equal(onnxProbabilities[n * Classes.Length + c], predictions[n].Probabilities[c], 1e-5);
        }
    }
}
