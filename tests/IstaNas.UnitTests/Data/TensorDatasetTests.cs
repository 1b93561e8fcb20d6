using IstaNas.Data;
using static TorchSharp.torch;

namespace IstaNas.Tests.Data;

public class TensorDatasetTests
{
    /// <summary>N signals [1, 8] whose first value is the sample's index, labels n mod 3.</summary>
    private static TensorDataset Signals(int count, out float[] values)
    {
        values = new float[count * 8];
        for (int n = 0; n < count; n++)
        {
            for (int t = 0; t < 8; t++)
                values[n * 8 + t] = t == 0 ? n : MathF.Sin(n + t);
        }

        using Tensor x = tensor(values, [count, 1, 8]);
        using Tensor y = tensor(Enumerable.Range(0, count).Select(n => (long)(n % 3)).ToArray());
        return TensorDataset.From(x, y, "signals");
    }

    private static List<(int Sample, long Label, float First)> Read(BatchLoader loader, int epoch)
    {
        var seen = new List<(int, long, float)>();
        foreach (Batch batch in loader.GetEpoch(epoch))
        {
            using Batch b = batch;
            long[] labels = b.Labels.data<long>().ToArray();
            float[] inputs = b.Images.contiguous().data<float>().ToArray();
            int size = (int)(b.Images.numel() / b.Count);
            for (int i = 0; i < b.Count; i++)
                seen.Add((b.SampleIndices[i], labels[i], inputs[i * size]));
        }

        return seen;
    }

    [Fact]
    public void SplitsSubsetsAndBatchesFollowTheImageSetsIndexOrder()
    {
        const int count = 50;
        TensorDataset signals = Signals(count, out _);
        ImageDataset images = ImageDataset.FromPixels("images", new byte[count * 4], [.. Enumerable.Range(0, count).Select(n => n % 3)], 1, 2, 2, 3);
        foreach (int? seed in new int?[] { null, 7 })
        {
            (LabelledDataset tFirst, LabelledDataset tSecond) = seed is int s ? signals.Split(0.6, s) : signals.Split(0.6);
            (ImageDataset iFirst, ImageDataset iSecond) = seed is int s2 ? images.Split(0.6, s2) : images.Split(0.6);
            Assert.Equal(30, tFirst.Count);
            Assert.Equal(iFirst.Labels, tFirst.Labels);
            Assert.Equal(iSecond.Labels, tSecond.Labels);
            Assert.Equal("signals-train", tFirst.Name);

            // The loader visits the same positions in the same batches; the values are those of the stored samples.
            var options = new BatchLoaderOptions { BatchSize = 8, Seed = 5, DropLast = true };
            var tensorBatches = Read(new BatchLoader(tSecond, options), 3);
            var imageOrder = new List<int>();
            foreach (Batch batch in new BatchLoader(iSecond, options).GetEpoch(3))
            {
                using Batch b = batch;
                imageOrder.AddRange(b.SampleIndices);
            }

            Assert.Equal(imageOrder, tensorBatches.Select(t => t.Sample));
            Assert.Equal(16, tensorBatches.Count);
            foreach ((int sample, long label, float first) in tensorBatches)
            {
                Assert.Equal(tSecond.Labels[sample], label);
                Assert.Equal(first % 3, label); // the first value is the original index, whose label is index mod 3
            }
        }

        // A subset of a subset reads the original samples.
        TensorDataset nested = signals.Subset([10, 20, 30]).Subset([2, 0]);
        Assert.Equal(30f, nested.GetSample(0)[0]);
        Assert.Equal(10f, nested.GetSample(1)[0]);
        Assert.Equal([0, 1], nested.Labels);
    }

    [Fact]
    public void BatchesHoldTheValuesAsGivenInTheSampleShape()
    {
        TensorDataset signals = Signals(10, out float[] values);
        Assert.Equal([1, 8], signals.SampleShape);
        Assert.Equal(3, signals.ClassCount);
        Assert.Equal(["0", "1", "2"], signals.ClassNames);
        var loader = new BatchLoader(signals, new BatchLoaderOptions { BatchSize = 4, Seed = 1 });
        using Batch batch = loader.GetBatch(0, 1);
        Assert.Equal([4L, 1, 8], batch.Images.shape);
        Assert.Equal(ScalarType.Float32, batch.Images.dtype);
        float[] got = batch.Images.data<float>().ToArray();
        for (int i = 0; i < 4; i++)
            Assert.Equal(values.AsSpan(batch.SampleIndices[i] * 8, 8).ToArray(), got.AsSpan(i * 8, 8).ToArray());

        // Tabular rows [N, F] work the same way; integer labels of any integer type.
        using Tensor rows = rand(6, 5);
        using Tensor labels = tensor(new int[] { 0, 1, 0, 1, 1, 0 });
        TensorDataset table = TensorDataset.From(rows, labels);
        Assert.Equal([5], table.SampleShape);
        Assert.Equal("tensors", table.Name);
    }

    [Fact]
    public void AugmentationIsRefusedForTensors()
    {
        TensorDataset signals = Signals(10, out _);
        var e = Assert.Throws<ArgumentException>(() => new BatchLoader(signals, new BatchLoaderOptions { Augmentation = AugmentationPipeline.Standard() }));
        Assert.Contains("augmentation applies to images only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidTensorsAreRefusedWithAMessageNamingTheProblem()
    {
        using Tensor x = zeros(4, 2, 3);
        using Tensor y = tensor(new long[] { 0, 1, 1, 0 });
        Assert.Contains("x holds 4 samples", Error(x, tensor(new long[] { 0, 1, 0 })), StringComparison.Ordinal);
        Assert.Contains("y[2] = -1 is not a class label", Error(x, tensor(new long[] { 0, 1, -1, 0 })), StringComparison.Ordinal);
        Assert.Contains("y[1] = 5 is not a class label: labels must be integers in [0, 3)", Error(x, tensor(new long[] { 0, 5, 1, 0 }), 3), StringComparison.Ordinal);
        Assert.Contains("integer class labels", Error(x, tensor(new float[] { 0, 1, 1, 0 })), StringComparison.Ordinal);
        Assert.Contains("only class 0", Error(x, zeros(4, dtype: ScalarType.Int64)), StringComparison.Ordinal);
        Assert.Contains("at least one dimension per sample", Error(zeros(4), y), StringComparison.Ordinal);
        Assert.Contains("floating-point", Error(zeros(4, 3, dtype: ScalarType.Int32), y), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorDataset.From(x, y, classCount: 1));

        using Tensor withNaN = zeros(4, 2, 3);
        withNaN[2, 1, 0] = tensor(float.NaN);
        Assert.Contains("x holds NaN at sample 2 (element [2, 1, 0])", Error(withNaN, y), StringComparison.Ordinal);
        using Tensor withInf = zeros(4, 2, 3);
        withInf[3, 0, 2] = tensor(float.PositiveInfinity);
        Assert.Contains("at sample 3 (element [3, 0, 2])", Error(withInf, y), StringComparison.Ordinal);
    }

    [Fact]
    public void UseTensorsGivesTheSearchATensorTrainingSet()
    {
        using Tensor x = randn(12, 1, 16), y = tensor(Enumerable.Range(0, 12).Select(n => (long)(n % 2)).ToArray());
        Search search = new SearchBuilder().UseTensors(x, y).Build();
        var train = Assert.IsType<TensorDataset>(search.TrainingSet);
        Assert.Equal(2, train.ClassCount);
        Assert.Equal([1, 16], train.SampleShape);
        Assert.Equal(3, Assert.IsType<TensorDataset>(new SearchBuilder().UseTensors(x, y, classCount: 3).Build().TrainingSet).ClassCount);
    }

    [Fact]
    public void TheDartsNetworksAskForImagesAndFingerprintsSeeTheValues()
    {
        TensorDataset signals = Signals(10, out _);
        var e = Assert.Throws<ArgumentException>(() => TrainingData.ImageShape(signals));
        Assert.Contains("take images [C, H, W]; the samples of 'signals' have shape [1, 8]", e.Message, StringComparison.Ordinal);

        using Tensor x = randn(10, 3, 4, 4), y = tensor(Enumerable.Range(0, 10).Select(n => (long)(n % 2)).ToArray());
        TensorDataset floatImages = TensorDataset.From(x, y);
        Assert.Equal((3, 4, 4), TrainingData.ImageShape(floatImages));
        using Tensor x2 = x.clone();
        x2[9, 2, 3, 3] = tensor(100f);
        Assert.NotEqual(TrainingData.ContentHash(floatImages), TrainingData.ContentHash(TensorDataset.From(x2, y)));
        Assert.Equal(TrainingData.ContentHash(floatImages), TrainingData.ContentHash(TensorDataset.From(x.clone(), y)));
    }

    private static string Error(Tensor x, Tensor y, int? classCount = null) =>
        Assert.ThrowsAny<ArgumentException>(() => TensorDataset.From(x, y, classCount: classCount)).Message;
}
