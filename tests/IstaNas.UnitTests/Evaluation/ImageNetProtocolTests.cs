using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

/// <summary>The authors' ImageNet protocol: options, schedule, label smoothing (a tiny run on a generated folder with prediction from files: tests/IstaNas.Formats.Tests, PredictFilesTests).</summary>
[Collection(TorchGlobalStateCollection.Name)]
public class ImageNetProtocolTests
{
    public ImageNetProtocolTests() => torch.set_num_threads(1);

    [Fact]
    public void ThePresetIsTheAuthorsImageNetScript()
    {
        EvaluationOptions o = EvaluationOptions.ImageNet();
        Assert.Equal(NetworkLayout.ImageNet, o.Layout);
        Assert.Equal((48, 14, 250, 1024), (o.Channels, o.Layers, o.Epochs, o.BatchSize));
        Assert.Equal((0.5, 0.9, 3e-5, 5.0), (o.LearningRate, o.Momentum, o.WeightDecay, o.GradClip));
        Assert.Equal((LearningRateSchedule.Linear, 5), (o.Schedule, o.WarmupEpochs));
        Assert.Equal((0.1, true, 0.4, 0.0), (o.LabelSmoothing, o.Auxiliary, o.AuxiliaryWeight, o.DropPathProbability));
        Assert.Equal((224, true, false), (o.CropSize!.Value, o.ColorJitter, o.Cutout));
        _ = new EvaluationTrainer(Genotype.IstaImageNet, o); // valid
    }

    [Fact]
    public void LinearScheduleWithWarmupFollowsTheImageNetScript()
    {
        // evaluation_imagenet.py adjust_lr with epochs = 250, lr = 0.5, and the 5-epoch warm-up for batches above 256.
        double At(int epoch) => EpochLearningRate.At(LearningRateSchedule.Linear, epoch, 250, 0.5, 0, warmupEpochs: 5);
        Assert.Equal(0.1, At(0), 12);
        Assert.Equal(0.5, At(4), 12);
        Assert.Equal(0.5 * 240 / 245, At(5), 12);
        Assert.Equal(0.5 * 1 / 245, At(244), 12);
        Assert.Equal(0.5 * 5 / (5.0 * 245), At(245), 12);
        Assert.Equal(0.5 * 1 / (5.0 * 245), At(249), 12);
        Assert.Equal(0.5 * 2 / 3.0, EpochLearningRate.At(LearningRateSchedule.Linear, 1, 3, 0.5, 0), 12);
        Assert.Equal(0.025, EpochLearningRate.At(LearningRateSchedule.Cosine, 0, 10, 0.025, 0), 12);
    }

    [Fact]
    public void LabelSmoothingIsDartsCrossEntropyLabelSmooth()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        Tensor logits = randn(6, 5, dtype: float64), labels = tensor(new long[] { 0, 4, 2, 2, 1, 3 });
        // CrossEntropyLabelSmooth: targets (1 - eps) one-hot + eps / K, loss = (-targets * log_softmax).mean(0).sum().
        Tensor logProbabilities = nn.functional.log_softmax(logits, 1);
        Tensor targets = (zeros_like(logits).scatter(1, labels.unsqueeze(1), ones(6, 1, dtype: float64)) * 0.9) + (0.1 / 5);
        double expected = (-(targets * logProbabilities)).mean([0]).sum().item<double>();
        double actual = nn.functional.cross_entropy(logits, labels, label_smoothing: 0.1).item<double>();
        Assert.Equal(expected, actual, 12);
    }

    [Fact]
    public void SettingsThatCannotWorkAreRejectedBeforeTraining()
    {
        var cifarCrop = new EvaluationOptions { CropSize = 24 };
        Assert.Contains("CropSize", Assert.Throws<OptionsValidationException>(() => new EvaluationTrainer(Genotype.DartsV2, cifarCrop)).Message);

        ImageDataset train = Synthetic.Create(8, 1), test = Synthetic.Create(4, 2);
        var tooLarge = new EvaluationOptions { Layout = NetworkLayout.ImageNet, CropSize = 64, Auxiliary = false, Channels = 4, Layers = 3 };
        Assert.Contains("CropSize 64 exceeds", Assert.Throws<ArgumentException>(() => new EvaluationTrainer(Genotype.DartsV2, tooLarge).Train(train, test)).Message);
        var auxiliary = new EvaluationOptions { Layout = NetworkLayout.ImageNet, Auxiliary = true, Channels = 4, Layers = 3 };
        Assert.Contains("auxiliary head", Assert.Throws<ArgumentException>(() => new EvaluationTrainer(Genotype.DartsV2, auxiliary).Train(train, test)).Message);
        var odd = new EvaluationOptions { Auxiliary = false, Channels = 4, Layers = 3 };
        ImageDataset oddTrain = Synthetic.Create(8, 1, new SyntheticOptions { ImageSize = 30 }), oddTest = Synthetic.Create(4, 2, new SyntheticOptions { ImageSize = 30 });
        Assert.Contains("multiple of 4", Assert.Throws<ArgumentException>(() => new EvaluationTrainer(Genotype.DartsV2, odd).Train(oddTrain, oddTest)).Message);
    }
}
