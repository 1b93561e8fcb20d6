using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

public class TrainedNetworkTests
{
    private static readonly EvaluationNetworkOptions Options = new() { Channels = 4, Layers = 3, Classes = 3, Auxiliary = false };

    private static readonly ModelMetadata Pets = new()
    {
        ClassNames = ["cat", "dog", "bird"],
        Mean = [0.5f, 0.4f, 0.3f],
        Std = [0.25f, 0.2f, 0.3f],
        ImageHeight = 16,
        ImageWidth = 16,
    };

    private static TrainedNetwork Make(ModelMetadata? metadata = null, int seed = 40)
    {
        torch.manual_seed(seed);
        var network = new EvaluationNetwork(Options, Genotype.DartsV2);
        OnnxTestHelpers.RandomiseBatchNorms(network, seed + 1);
        return new TrainedNetwork(network, Genotype.DartsV2, metadata);
    }

    private static Tensor Pixels(int n, int size = 16, int seed = 42) =>
        randint(0, 256, [n, 3, size, size], dtype: uint8, generator: new Generator((ulong)seed));

    [Fact]
    public void SaveAndLoadKeepWeightsGenotypeAndMetadata()
    {
        using var dir = new TempDirectory();
        using var trained = Make(Pets);
        string path = dir.File("model.ckpt");
        trained.Save(path);
        using var loaded = TrainedNetwork.Load(path);
        Assert.Equal(Genotype.DartsV2, loaded.Genotype);
        Assert.Equal(["cat", "dog", "bird"], loaded.ClassNames);
        Assert.Equal([0.5f, 0.4f, 0.3f], loaded.Mean);
        Assert.Equal([0.25f, 0.2f, 0.3f], loaded.Std);
        Assert.Equal((16, 16), (loaded.ImageHeight, loaded.ImageWidth));
        Assert.Equal(3, loaded.InputChannels);

        using var scope = NewDisposeScope();
        trained.Network.eval();
        loaded.Network.eval();
        var x = randn(2, 3, 16, 16);
        Assert.True(trained.Network.forward(x).Same(loaded.Network.forward(x)));
    }

    [Fact]
    public void FilesWithoutMetadataLoadWithDefaults()
    {
        // A file as written before the metadata existed: genotype, options and weights only.
        using var dir = new TempDirectory();
        string path = dir.File("old.ckpt");
        torch.manual_seed(43);
        using (var network = new EvaluationNetwork(Options with { InputChannels = 1 }, Genotype.DartsV2))
        {
            new CheckpointWriter(TrainedNetwork.Kind, TrainedNetwork.Fingerprint(Genotype.DartsV2, network.Options))
                .SetValue("genotype", Genotype.DartsV2.ToJson())
                .SetValue("options", network.Options)
                .AddModule(network)
                .Save(path);
        }

        using var loaded = TrainedNetwork.Load(path);
        Assert.Equal(["0", "1", "2"], loaded.ClassNames);
        Assert.Equal([0f], loaded.Mean);
        Assert.Equal([1f], loaded.Std);
        Assert.Null(loaded.ImageHeight);
        Assert.Null(loaded.ImageWidth);
        Assert.Single(loaded.Predict(Pixels(1, 12)[.., 0..1], topK: 2)); // any size when unknown
    }

    [Fact]
    public void MetadataThatDoesNotFitTheNetworkIsRejected()
    {
        torch.manual_seed(44);
        using var network = new EvaluationNetwork(Options, Genotype.DartsV2);
        Assert.Contains("3 classes but 2 class names", Assert.Throws<ArgumentException>(() => new TrainedNetwork(network, Genotype.DartsV2, Pets with { ClassNames = ["a", "b"] })).Message);
        Assert.Contains("Class name 1 is empty", Assert.Throws<ArgumentException>(() => new TrainedNetwork(network, Genotype.DartsV2, Pets with { ClassNames = ["a", " ", "c"] })).Message);
        Assert.Contains("3 input channel(s) but the normalisation has 1 mean", Assert.Throws<ArgumentException>(() => new TrainedNetwork(network, Genotype.DartsV2, Pets with { Mean = [0.5f] })).Message);
        Assert.Contains("Channel 2 has normalisation mean 0.3 and std 0", Assert.Throws<ArgumentException>(() => new TrainedNetwork(network, Genotype.DartsV2, Pets with { Std = [1f, 1f, 0f] })).Message);
        Assert.Contains("both positive or both unknown", Assert.Throws<ArgumentException>(() => new TrainedNetwork(network, Genotype.DartsV2, Pets with { ImageWidth = null })).Message);
        Assert.Contains("does not describe", Assert.Throws<ArgumentException>(() => new TrainedNetwork(network, Genotype.IstaOneStage)).Message);

        // A file whose metadata does not fit is a bad checkpoint.
        using var dir = new TempDirectory();
        string path = dir.File("bad.ckpt");
        new CheckpointWriter(TrainedNetwork.Kind, TrainedNetwork.Fingerprint(Genotype.DartsV2, network.Options))
            .SetValue("genotype", Genotype.DartsV2.ToJson())
            .SetValue("options", network.Options)
            .SetValue("data", new ModelMetadata { ClassNames = ["only one"] })
            .AddModule(network)
            .Save(path);
        var ex = Assert.Throws<CheckpointException>(() => TrainedNetwork.Load(path));
        Assert.Contains("3 classes but 1 class names", ex.Message);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void PredictNormalisesRawPixelsAndListsTheMostProbableClasses()
    {
        using var trained = Make(Pets);
        trained.Network.train(); // Predict runs in evaluation mode and gives the mode back
        using var scope = NewDisposeScope();
        Tensor pixels = Pixels(4);
        IReadOnlyList<Prediction> raw = trained.Predict(pixels, topK: 2);
        Assert.True(trained.Network.training);

        var mean = tensor(new[] { 0.5f, 0.4f, 0.3f }).view(1, 3, 1, 1);
        var std = tensor(new[] { 0.25f, 0.2f, 0.3f }).view(1, 3, 1, 1);
        Tensor normalised = (pixels.to_type(float32) / 255f - mean) / std;
        IReadOnlyList<Prediction> ready = trained.Predict(normalised, topK: 10);
        trained.Network.eval();
        Tensor expected;
        using (no_grad())
            expected = nn.functional.softmax(trained.Network.forward(normalised), 1);

        Assert.Equal(4, raw.Count);
        for (int n = 0; n < 4; n++)
        {
            float[] p = expected[n].data<float>().ToArray();
            Assert.Equal(p.Length, raw[n].Probabilities.Count);
            for (int c = 0; c < p.Length; c++)
            {
                Assert.Equal(p[c], raw[n].Probabilities[c], 1e-5f);
                Assert.Equal(p[c], ready[n].Probabilities[c], 1e-6f);
            }

            Assert.Equal(1.0, raw[n].Probabilities.Sum(), 1e-5);
            Assert.Equal(2, raw[n].Top.Count);
            Assert.Equal(3, ready[n].Top.Count); // top-k stops at the class count
            int best = Array.IndexOf(p, p.Max());
            Assert.Equal(best, raw[n].Best.Index);
            Assert.Equal(Pets.ClassNames![best], raw[n].Best.Name);
            Assert.True(raw[n].Top[0].Probability >= raw[n].Top[1].Probability);
            Assert.Equal(raw[n].Probabilities[raw[n].Top[1].Index], raw[n].Top[1].Probability);
        }
    }

    [Fact]
    public void PredictRejectsImagesTheNetworkDoesNotTake()
    {
        var trained = Make(Pets);
        using var scope = NewDisposeScope();
        Assert.Contains("uint8 raw pixels or float32", Assert.Throws<ArgumentException>(() => trained.Predict(zeros(1, 3, 16, 16, float64))).Message);
        Assert.Contains("a batch [N, C, H, W]; got shape [3, 16, 16]", Assert.Throws<ArgumentException>(() => trained.Predict(zeros(3, 16, 16))).Message);
        Assert.Contains("3-channel images; got 1 channels", Assert.Throws<ArgumentException>(() => trained.Predict(zeros(2, 1, 16, 16))).Message);
        Assert.Contains("trained on 16 x 16 images; got 32 x 32", Assert.Throws<ArgumentException>(() => trained.Predict(zeros(2, 3, 32, 32))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => trained.Predict(zeros(2, 3, 16, 16), topK: 0));
        Assert.Empty(trained.Predict(zeros(0, 3, 16, 16, uint8)));
        trained.Dispose();
        Assert.Throws<ObjectDisposedException>(() => trained.Predict(zeros(1, 3, 16, 16)));
        Assert.Throws<ObjectDisposedException>(() => trained.Save("never.ckpt"));
    }

    [Fact]
    public void PredictRefusesNaNOrInfiniteImagesAndANetworkWhoseOutputIsNotFinite()
    {
        using var trained = Make(Pets);
        using var scope = NewDisposeScope();
        Tensor images = zeros(3, 3, 16, 16);
        images[2, 1, 5, 5] = tensor(float.NaN);
        var nan = Assert.Throws<ArgumentException>(() => trained.Predict(images));
        Assert.Contains("Image 2 of 3 holds NaN or infinite values", nan.Message);
        images[2, 1, 5, 5] = tensor(0f);
        images[0, 0, 0, 0] = tensor(float.PositiveInfinity);
        Assert.Contains("Image 0 of 3", Assert.Throws<ArgumentException>(() => trained.Predict(images)).Message);

        using (no_grad())
            trained.Network.parameters().First().fill_(float.NaN);
        var broken = Assert.Throws<InvalidOperationException>(() => trained.Predict(zeros(1, 3, 16, 16)));
        Assert.Contains("output for image 0 is not finite", broken.Message);
    }

    [Fact]
    public void ExportedOnnxModelCarriesClassNamesNormalisationAndGenotype()
    {
        using var dir = new TempDirectory();
        using var trained = Make(Pets);
        string path = dir.File("out/model.onnx");
        trained.ExportOnnx(path);
        using var session = OnnxTestHelpers.Session(path);
        var metadata = session.ModelMetadata;
        Assert.Equal("IstaNas", metadata.ProducerName);
        Assert.Equal(["cat", "dog", "bird"], JsonSerializer.Deserialize<string[]>(metadata.CustomMetadataMap["class_names"])!);
        Assert.Equal([0.5f, 0.4f, 0.3f], JsonSerializer.Deserialize<float[]>(metadata.CustomMetadataMap["mean"])!);
        Assert.Equal([0.25f, 0.2f, 0.3f], JsonSerializer.Deserialize<float[]>(metadata.CustomMetadataMap["std"])!);
        Assert.Equal(Genotype.DartsV2, Genotype.ParseDarts(metadata.CustomMetadataMap["genotype"]));
        Assert.Equal("16", metadata.CustomMetadataMap["image_height"]);
        Assert.Contains("pixel values divided by 255, then per channel c (x - mean[c]) / std[c] with mean [0.5,0.4,0.3]", metadata.Description);
        Assert.Equal(new[] { -1, 3, 16, 16 }, session.InputMetadata["images"].Dimensions);

        // Softmax of the ONNX logits on normalised pixels = Predict on the raw pixels.
        using var scope = NewDisposeScope();
        Tensor pixels = Pixels(3, seed: 45);
        var mean = tensor(new[] { 0.5f, 0.4f, 0.3f }).view(1, 3, 1, 1);
        var std = tensor(new[] { 0.25f, 0.2f, 0.3f }).view(1, 3, 1, 1);
        Tensor onnx = nn.functional.softmax(OnnxTestHelpers.Run(session, (pixels.to_type(float32) / 255f - mean) / std), 1);
        IReadOnlyList<Prediction> predictions = trained.Predict(pixels);
        for (int n = 0; n < 3; n++)
        {
            for (int c = 0; c < 3; c++)
                Assert.Equal(predictions[n].Probabilities[c], onnx[n, c].ToSingle(), 1e-5f);
        }
    }
}
