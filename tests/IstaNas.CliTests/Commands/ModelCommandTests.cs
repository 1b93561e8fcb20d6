using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary><c>predict</c> and <c>export</c> take a run folder or its model.ckpt; <c>predict</c> on a folder classifies the good images and lists the bad ones.</summary>
public sealed class ModelCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public ModelCommandTests()
    {
        // An untrained network is enough: the commands only read and run it.
        var metadata = new ModelMetadata { ClassNames = ["red", "green", "blue"], Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f], ImageHeight = 16, ImageWidth = 16 };
        var network = new EvaluationNetwork(new EvaluationNetworkOptions { Channels = 4, Layers = 3, Classes = 3, Auxiliary = false }, Genotype.DartsV2);
        using var trained = new TrainedNetwork(network, Genotype.DartsV2, metadata);
        Directory.CreateDirectory(Run);
        trained.Save(Path.Combine(Run, "model.ckpt"));
    }

    private string Run => _dir.File("run");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ExportTakesTheRunFolderAsPredictDoes()
    {
        foreach (string model in new[] { Run, Path.Combine(Run, "model.ckpt") })
        {
            var (exit, stdout, err) = CommandLineTests.Run("export", "--model", model, "--darts-string");
            Assert.True(exit == 0, $"export --model {model}: exit {exit}: {err}");
            Assert.StartsWith("Genotype(normal=", stdout, StringComparison.Ordinal);
        }

        Directory.CreateDirectory(_dir.File("empty-run"));
        var (code, _, why) = CommandLineTests.Run("export", "--model", _dir.File("empty-run"), "--darts-string");
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --model '{_dir.File("empty-run")}' is a folder without a model.ckpt", why, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictOnAFolderPrintsTheGoodImagesAndListsTheBadOnes()
    {
        string images = _dir.File("images");
        Directory.CreateDirectory(images);
        for (int i = 0; i < 3; i++)
            TestImages.WritePng(Path.Combine(images, $"good-{i}.png"), TestImages.Solid(16, 16, TestImages.ClassColours[i]), 16, 16);
        File.WriteAllText(Path.Combine(images, "bad-1.png"), "not a picture");
        File.WriteAllBytes(Path.Combine(images, "bad-2.jpg"), [0xFF, 0xD8, 0xFF]);

        var (exit, stdout, err) = CommandLineTests.Run("predict", "--model", Run, "--images", images, "--top", "1");
        Assert.Equal(1, exit);
        string[] lines = stdout.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
            Assert.StartsWith(Path.Combine(images, $"good-{i}.png") + ": ", lines[i], StringComparison.Ordinal);
        string[] errors = err.Trim().Split('\n');
        Assert.Equal(3, errors.Length);
        Assert.StartsWith($"unreadable: {Path.Combine(images, "bad-1.png")}: ", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"unreadable: {Path.Combine(images, "bad-2.jpg")}: ", errors[1], StringComparison.Ordinal);
        Assert.Equal("error: 2 of 5 images could not be read (listed above); the other 3 are classified.", errors[2]);

        var (jsonExit, json, jsonErr) = CommandLineTests.Run("predict", "--model", Path.Combine(Run, "model.ckpt"), "--images", images, "--json");
        Assert.Equal(1, jsonExit);
        Assert.Equal(3, json.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.GetProperty("top").GetArrayLength()).Count(n => n == 3));
        Assert.Equal(2, jsonErr.Trim().Split('\n').Count(l => l.StartsWith('{') && JsonDocument.Parse(l).RootElement.TryGetProperty("error", out _)));
    }
}
