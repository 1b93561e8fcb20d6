using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

/// <summary>
/// <see cref="TrainedNetworkFormats.PredictFiles"/>, the package's extension of a trained network: image files are
/// brought to the network's input exactly as its training images were (moved here from ImageNetProtocolTests with the reader).
/// </summary>
public class PredictFilesTests
{
    [Fact]
    public void ATinyImageNetRunOnAFolderTrainsOnCropsAndPredictsFiles()
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["cat", "dog"], perClass: 10, size: 80);
        var (train, test) = ImageDataset.LoadImageFolderTrainTest(dir.Path, new ImageFolderOptions { ImageSize = 72, ResizeMode = ImageResizeMode.CenterCrop });
        EvaluationOptions o = EvaluationOptions.ImageNet();
        o.Channels = 4;
        o.Layers = 3;
        o.Epochs = 2;
        o.BatchSize = 4;
        o.CropSize = 64;
        o.Auxiliary = false; // the ImageNet head needs 224 x 224 crops
        o.MaxStepsPerEpoch = 2;
        o.Seed = 3;
        var reports = new List<EpochReport>();
        EvaluationResult result = new EvaluationTrainer(Genotype.IstaImageNet, o).Train(train, test, new InlineProgress<EpochReport>(reports.Add));
        using var network = result.Network;
        Assert.Equal(NetworkLayout.ImageNet, network.Layout);
        Assert.Equal(2, reports.Count);
        Assert.Equal(0.5 * 1 / 5, reports[0].LearningRate, 12); // warm-up
        Assert.All(reports, r => Assert.True(double.IsFinite(r.TrainLoss) && double.IsFinite(r.TestAccuracy)));
        Assert.Equal((64, 64, 72), (result.Metadata!.ImageHeight!.Value, result.Metadata.ImageWidth!.Value, result.Metadata.ResizeSize!.Value));
        Assert.Equal(ImageResizeMode.CenterCrop, result.Metadata.ResizeMode);
        Assert.Equal(["cat", "dog"], result.Metadata.ClassNames);

        string saved = Path.Combine(dir.Path, "model.ckpt");
        new TrainedNetwork(network, result.Genotype, result.Metadata).Save(saved);
        using TrainedNetwork loaded = TrainedNetwork.Load(saved);
        Assert.Equal(NetworkLayout.ImageNet, loaded.Network.Layout);
        string[] files = test.Files.ToArray();
        IReadOnlyList<Prediction> fromFiles = loaded.PredictFiles(files, topK: 2);
        Assert.Equal(files.Length, fromFiles.Count);

        // The same as the test set's central crops, which is what the test accuracy was measured on.
        using var scope = NewDisposeScope();
        var bytes = new byte[test.Count * 3 * 72 * 72];
        for (int i = 0; i < test.Count; i++) test.GetImage(i).CopyTo(bytes.AsSpan(i * 3 * 72 * 72));
        Tensor crops = tensor(bytes, [test.Count, 3, 72, 72]).narrow(2, 4, 64).narrow(3, 4, 64).contiguous();
        IReadOnlyList<Prediction> fromTensor = loaded.Predict(crops, topK: 2);
        for (int i = 0; i < files.Length; i++)
            Assert.Equal(fromTensor[i].Probabilities, fromFiles[i].Probabilities);
    }

    [Fact]
    public void ADisposedNetworkIsRefusedBeforeAnyFileIsRead()
    {
        using var dir = new TempDirectory();
        string image = TestImages.WritePng(Path.Combine(dir.Path, "a.png"), TestImages.Solid(16, 16, TestImages.ClassColours[0]), 16, 16);
        var network = new TrainedNetwork(new EvaluationNetwork(new EvaluationNetworkOptions { Channels = 4, Layers = 3, Classes = 2, Auxiliary = false }, Genotype.DartsV2),
            Genotype.DartsV2, new ModelMetadata { ClassNames = ["a", "b"], ImageHeight = 16, ImageWidth = 16 });
        Assert.Single(network.PredictFiles([image]));
        network.Dispose();

        // A readable file and a missing one: the disposed network is the error either way, and no file is decoded.
        Assert.Throws<ObjectDisposedException>(() => network.PredictFiles([image]));
        Assert.Throws<ObjectDisposedException>(() => network.PredictFiles([Path.Combine(dir.Path, "missing.png")]));
        Assert.Throws<ObjectDisposedException>(() => network.PredictFiles([]));
    }
}
