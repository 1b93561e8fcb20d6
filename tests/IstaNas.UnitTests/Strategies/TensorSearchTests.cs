using IstaNas.Data;
using IstaNas.Strategies;
using static TorchSharp.torch;

namespace IstaNas.Tests.Strategies;

[Collection(GlobalRandomCollection.Name)]
public class TensorSearchTests
{
    /// <summary>The images of <paramref name="images"/> as float32 [N, C, H, W] in [0, 1], with their labels.</summary>
    private static TensorDataset AsTensors(ImageDataset images)
    {
        using Tensor bytes = images.ToTensor();
        using Tensor x = bytes.to(ScalarType.Float32) / 255;
        using Tensor y = tensor(images.Labels.Select(l => (long)l).ToArray());
        return TensorDataset.From(x, y, "tensors", images.ClassCount);
    }

    private static List<int[]> Batches(BatchLoader loader, int epoch)
    {
        var batches = new List<int[]>();
        foreach (Batch batch in loader.GetEpoch(epoch))
        {
            using Batch b = batch;
            batches.Add([.. b.SampleIndices]);
        }

        return batches;
    }

    [Fact]
    public void TheStrategiesLoadersSplitAndBatchATensorSetLikeTheImageSet()
    {
        ImageDataset images = TinySearch.Data(count: 64, size: 8);
        TensorDataset tensors = AsTensors(images);
        var options = new TwoStageOptions { BatchSize = 8 };
        var (imageTrain, imageValid, imageSteps) = SearchLoaders.BilevelLoaders(new SearchContext { Train = images, Seed = 3 }, options, 0.5, "b");
        var (tensorTrain, tensorValid, tensorSteps) = SearchLoaders.BilevelLoaders(new SearchContext { Train = tensors, Seed = 3 }, options, 0.5, "b");
        Assert.Equal(imageSteps, tensorSteps);
        Assert.Equal(imageTrain.Dataset.Labels, tensorTrain.Dataset.Labels);
        Assert.Equal(imageValid.Dataset.Labels, tensorValid.Dataset.Labels);
        foreach (int epoch in new[] { 0, 1 })
        {
            Assert.Equal(Batches(imageTrain, epoch), Batches(tensorTrain, epoch));
            Assert.Equal(Batches(imageValid, epoch), Batches(tensorValid, epoch));
        }

        // The image loader augments (crop, flip), the tensor loader passes the values through.
        Assert.False(imageTrain.Options.Augmentation!.IsNone);
        Assert.True(tensorTrain.Options.Augmentation!.IsNone);
    }

    [Fact]
    public void ADartsCellSearchRunsOnFloatImagesAndRefusesSignals()
    {
        ImageDataset images = TinySearch.Data(count: 64, size: 8);
        using Tensor bytes = images.ToTensor();
        using Tensor x = bytes.to(ScalarType.Float32) / 255;
        using Tensor y = tensor(images.Labels.Select(l => (long)l).ToArray());
        SearchResult result = new SearchBuilder().UseTensors(x, y)
            .UseTwoStage(o => { TinySearch.Configure(o, epochs: 1, steps: 2); o.BatchSize = 8; })
            .UseSeed(2).Build().Run();
        Assert.False(result.Cancelled);
        Assert.Equal(2, result.Genotype!.EdgesPerNode);

        using Tensor signals = randn(64, 1, 32);
        var e = Assert.Throws<ArgumentException>(() => new SearchBuilder().UseTensors(signals, y)
            .UseTwoStage(o => TinySearch.Configure(o, epochs: 1, steps: 1)).Build().Run());
        Assert.Contains("take images [C, H, W]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 32]", e.Message, StringComparison.Ordinal);
    }
}
