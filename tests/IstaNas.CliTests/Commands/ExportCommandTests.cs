using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;
using IstaNas.Tests.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Commands;

/// <summary>The CLI's <c>export</c> command, run as a user would.</summary>
public class ExportCommandTests
{
    private static string SaveModel(TempDirectory dir, out TrainedNetwork trained)
    {
        torch.manual_seed(50);
        var network = new EvaluationNetwork(new EvaluationNetworkOptions { Channels = 4, Layers = 3, Classes = 4, InputChannels = 1 }, Genotype.IstaOneStage);
        OnnxTestHelpers.RandomiseBatchNorms(network, 51);
        trained = new TrainedNetwork(network, Genotype.IstaOneStage,
            new ModelMetadata { ClassNames = ["zero", "one", "two", "three"], Mean = [0.13f], Std = [0.31f], ImageHeight = 12, ImageWidth = 12 });
        string path = dir.File("run/model.ckpt");
        trained.Save(path);
        return path;
    }

    [Fact]
    public void WritesAnOnnxModelThatRunsLikeTheNetworkAndPrintsTheDartsString()
    {
        using var dir = new TempDirectory();
        string model = SaveModel(dir, out TrainedNetwork trained);
        using (trained)
        {
            string onnx = dir.File("out/model.onnx");
            var (exit, output, err) = CommandLineTests.Run("export", "--model", model, "--onnx", onnx, "--darts-string");
            Assert.True(exit == 0, $"exit {exit}: {err}");
            Assert.Contains("input 'images' [batch, 1, 12, 12], output 'logits' [batch, 4]", output);
            Assert.Contains("mean [0.13], std [0.31]", output);
            string darts = output.Trim().Split('\n')[^1].Trim();
            Assert.Equal(Genotype.IstaOneStage, Genotype.ParseDarts(darts));

            using var session = OnnxTestHelpers.Session(onnx);
            using var scope = NewDisposeScope();
            double max = OnnxTestHelpers.MaxDifference(trained.Network, session, randn(2, 1, 12, 12));
            Assert.True(max < 1e-4, $"max |ONNX - TorchSharp| = {max}");
            Assert.Contains("zero", session.ModelMetadata.CustomMetadataMap["class_names"]);
        }
    }

    [Fact]
    public void WritesDartsNamedSafetensorsAndAReferenceBatchOfTheNetworksLogits()
    {
        using var dir = new TempDirectory();
        string model = SaveModel(dir, out TrainedNetwork trained);
        using (trained)
        {
            string weights = dir.File("out/model.safetensors"), reference = dir.File("out/reference.json");
            var (exit, output, err) = CommandLineTests.Run("export", "--model", model, "--safetensors", weights, "--reference", reference);
            Assert.True(exit == 0, $"exit {exit}: {err}");
            Assert.Contains("names of DARTS' cnn/model.py NetworkCIFAR", output);

            var (metadata, tensors) = SafetensorsReader.Read(weights);
            Assert.Equal(trained.Network.state_dict().Count, tensors.Count);
            Assert.Equal(["stem.0.weight", "stem.1.weight"], tensors.Take(2).Select(t => t.Name));
            Assert.Equal([12L, 1L, 3L, 3L], tensors.Single(t => t.Name == "stem.0.weight").Shape); // 3 x C stem channels from 1 input channel
            Assert.Equal(Genotype.IstaOneStage, Genotype.ParseDarts(metadata["genotype"]));

            using var document = JsonDocument.Parse(File.ReadAllText(reference));
            float[] images = document.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            float[] logits = document.RootElement.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal([2L, 1L, 12L, 12L], document.RootElement.GetProperty("images_shape").EnumerateArray().Select(e => e.GetInt64()));
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            trained.Network.eval();
            float[] expected = trained.Network.forward(tensor(images).reshape(2, 1, 12, 12)).data<float>().ToArray();
            Assert.Equal(8, logits.Length);
            double max = expected.Zip(logits, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(max < 1e-5, $"max |reference - network| = {max}"); // another process, maybe another summation order
            Assert.Contains(logits, v => v != 0);
        }
    }

    [Fact]
    public void DartsStringAlonePrintsOnlyTheGenotype()
    {
        using var dir = new TempDirectory();
        string model = SaveModel(dir, out TrainedNetwork trained);
        trained.Dispose();
        var (exit, output, err) = CommandLineTests.Run("export", "--model", model, "--darts-string");
        Assert.True(exit == 0, $"exit {exit}: {err}");
        Assert.Equal(Genotype.IstaOneStage.ToDartsString(), output.Trim());
    }

    [Fact]
    public void BadInputIsOneLineAndExitCodeTwo()
    {
        using var dir = new TempDirectory();
        string notACheckpoint = dir.File("genotype.json");
        Genotype.DartsV2.Save(notACheckpoint);
        string model = SaveModel(dir, out TrainedNetwork trained);
        trained.Dispose();
        File.WriteAllText(dir.File("file"), "");
        foreach (var (expected, args) in new (string, string[])[]
                 {
                     ("does not exist", ["export", "--model", dir.File("missing.ckpt"), "--onnx", dir.File("x.onnx")]),
                     ("not an IstaNas checkpoint", ["export", "--model", notACheckpoint, "--darts-string"]),
                     ("Nothing to export", ["export", "--model", model]),
                     ("Cannot write the ONNX model", ["export", "--model", model, "--onnx", dir.File("file/model.onnx")]),
                     ("--model", ["export", "--onnx", dir.File("x.onnx")]),
                     ("Cannot write the safetensors weights", ["export", "--model", model, "--safetensors", dir.File("file/model.safetensors")]),
                     ("--safetensors needs a file name", ["export", "--model", model, "--safetensors", " "]),
                     ("Cannot write the reference batch", ["export", "--model", model, "--reference", dir.File("file/reference.json")]),
                 })
        {
            var (exit, _, err) = CommandLineTests.Run(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}, stderr {err}");
            Assert.StartsWith("error: ", err);
            Assert.Contains(expected, err);
            Assert.DoesNotContain("   at ", err);
            Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        }

        Assert.False(File.Exists(dir.File("x.onnx")));
    }
}
