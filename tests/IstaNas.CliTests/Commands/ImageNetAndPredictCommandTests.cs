using System.Text.Json;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>The CLI's <c>evaluate --protocol imagenet</c> and <c>predict</c>, run as a user would.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public class ImageNetAndPredictCommandTests
{
    [Fact]
    public void EvaluateWithTheImageNetProtocolThenPredictTheTopClassesOfImageFiles()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "data");
        TestImages.WriteFolder(data, ["apple", "kiwi", "plum"], perClass: 6, size: 80);
        string run = Path.Combine(dir.Path, "run");
        // The genotype alone selects the ImageNet protocol; small images and crops keep the run short.
        var (exit, output, err) = CommandLineTests.Run("evaluate", "--genotype", "ista_imagenet", "--data", $"folder:{data}", "--image-size", "72",
            "--crop-size", "64", "--no-auxiliary", "--channels", "4", "--layers", "3", "--epochs", "1", "--batch-size", "4", "--steps-per-epoch", "2",
            "--test-steps", "1", "-o", run, "--threads", "1");
        Assert.True(exit == 0, $"exit {exit}: {err}\n{output}");
        Assert.Contains("ImageNet protocol", output);
        using (TrainedNetwork trained = TrainedNetwork.Load(Path.Combine(run, "model.ckpt")))
        {
            Assert.Equal(NetworkLayout.ImageNet, trained.Network.Layout);
            Assert.Equal((64, 72), (trained.ImageHeight!.Value, trained.Metadata.ResizeSize!.Value));
            Assert.Equal(["apple", "kiwi", "plum"], trained.ClassNames);
        }

        var (predictExit, predictions, predictErr) = CommandLineTests.Run("predict", "--model", run, "--images", Path.Combine(data, "kiwi"), "--top", "2");
        Assert.True(predictExit == 0, $"exit {predictExit}: {predictErr}");
        string[] lines = predictions.Trim().Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"kiwi[/\\]\w+\.\w+: (apple|kiwi|plum) \d+\.\d %, (apple|kiwi|plum) \d+\.\d %$", l.Trim()));

        string file = Directory.GetFiles(Path.Combine(data, "plum"))[0];
        var (jsonExit, json, _) = CommandLineTests.Run("predict", "--model", Path.Combine(run, "model.ckpt"), "--images", file, "--json");
        Assert.Equal(0, jsonExit);
        using JsonDocument doc = JsonDocument.Parse(json.Trim());
        Assert.Equal(file, doc.RootElement.GetProperty("file").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("top").GetArrayLength());
        double total = doc.RootElement.GetProperty("top").EnumerateArray().Sum(e => e.GetProperty("probability").GetDouble());
        Assert.Equal(1.0, total, 5);
    }

    [Theory]
    [InlineData("predict --model {dir}/missing --images {dir}", "no such file")]
    [InlineData("predict --model {dir}/model.ckpt --images {dir}/nothing", "no such file or folder")]
    [InlineData("predict --model {dir}/model.ckpt --images {dir}/empty", "holds no image file")]
    [InlineData("predict --model {dir}/model.ckpt --images {dir}/empty --top 0", "--top must be at least 1")]
    [InlineData("evaluate --genotype darts_v2 --crop-size 24", "--crop-size applies to --protocol imagenet only")]
    [InlineData("evaluate --genotype darts_v2 --protocol resnet", "--protocol must be cifar or imagenet")]
    [InlineData("evaluate --protocol imagenet --genotype darts_v2 --epochs 1", "crops 224 x 224 from the images")]
    public void BadInputIsOneLineAndExitCodeTwo(string command, string expected)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        File.WriteAllText(Path.Combine(dir.Path, "model.ckpt"), "not a checkpoint");
        string[] args = command.Replace("{dir}", dir.Path).Split(' ');
        var (exit, _, err) = CommandLineTests.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", err.Trim());
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(expected, err);
    }
}
