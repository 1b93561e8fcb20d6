using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.Quality;
using IstaNas.SparseCoding;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.Validation;

/// <summary>
/// The rules that used to be hand-written <c>Validate()</c> methods (sparse coder options, network shapes, the consistency
/// study's nested options) are data annotations and <c>IValidatableObject</c> rules run by the one validator, and each
/// still fires where the options are used, naming the option and its value (the image folder options' rules are tested
/// with their reader, in tests/IstaNas.Formats.Tests).
/// </summary>
public class ConvertedRulesTests
{
    [Fact]
    public void AnUnknownSparseCodingMethodIsRejectedNamingIt()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SparseCoder.Create(new SparseCoderOptions { Method = (SparseCodingMethod)42 }));
        Assert.Equal(nameof(SparseCoderOptions.Method), ex.ParamName);
        Assert.Contains("SparseCoderOptions.Method: Method is not a sparse coding method. (value: 42)", ex.Message);
    }

    [Fact]
    public void EveryFailureIsListedAndTheFirstIsTheParameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TensorSparseCoder(new SparseCoderOptions { Lambda = -1, MaxIterations = 0 }));
        Assert.Equal(nameof(SparseCoderOptions.Lambda), ex.ParamName);
        Assert.Contains("SparseCoderOptions.Lambda: Lambda must be finite and >= 0. (value: -1)", ex.Message);
        Assert.Contains("SparseCoderOptions.MaxIterations: MaxIterations must be > 0. (value: 0)", ex.Message);
    }

    public static TheoryData<EvaluationNetworkOptions, string, string> InvalidNetworks() => new()
    {
        { new EvaluationNetworkOptions { Layout = (NetworkLayout)7 }, "Layout", "Layout must be Cifar or ImageNet. (value: 7)" },
        { new EvaluationNetworkOptions { Layout = NetworkLayout.ImageNet, Channels = 1 }, "Channels", "at least 2 for the ImageNet layout" },
        { new EvaluationNetworkOptions { Layers = 2, Auxiliary = true }, "Layers", "at least 3 with the auxiliary head" },
        { new EvaluationNetworkOptions { DropPathProbability = double.NaN }, "DropPathProbability", "must be in [0, 1). (value: NaN)" },
        { new EvaluationNetworkOptions { StemMultiplier = 0 }, "StemMultiplier", "StemMultiplier must be at least 1. (value: 0)" },
    };

    [Theory]
    [MemberData(nameof(InvalidNetworks))]
    public void NetworkShapeRulesFireNamingTheOption(EvaluationNetworkOptions options, string member, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => new EvaluationNetwork(options, Genotype.DartsV2));
        Assert.Equal(member, ex.ParamName);
        Assert.Contains($"EvaluationNetworkOptions.{member}: ", ex.Message);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void TheConsistencyStudysStandAloneOptionsAreCheckedAsEvaluationOptionsUnderItsName()
    {
        var options = new ConsistencyOptions { StandAlone = new EvaluationOptions { Layout = NetworkLayout.Cifar, CropSize = 24, LearningRate = 0.01, LearningRateMin = 0.1 } };
        var ex = Assert.Throws<OptionsValidationException>(() => new ConsistencyStudy(options));
        Assert.Contains(ex.Failures, f => f.StartsWith("Consistency.StandAlone.CropSize: CropSize (24) applies to the ImageNet layout", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Consistency.StandAlone.LearningRateMin: ", StringComparison.Ordinal));
        var outer = Assert.Throws<OptionsValidationException>(() => new ConsistencyStudy(new ConsistencyOptions { Architectures = 1 }));
        Assert.Equal(["Consistency.Architectures: The field Architectures must be between 2 and 100000. (value: 1)"], outer.Failures);
    }

    [Fact]
    public void TheDataLoadersOptionsAreCheckedByTheSameValidatorNamingThePublicArgument()
    {
        var classes = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.CreateSynthetic(10, 1, classCount: 1));
        Assert.Equal("classCount", classes.ParamName);
        Assert.StartsWith("Synthetic data needs at least 2 classes.", classes.Message, StringComparison.Ordinal);
        Assert.Equal(1, classes.ActualValue);
        ImageDataset data = ImageDataset.CreateSynthetic(4, 0);
        var prefetch = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, new BatchLoaderOptions { BatchSize = 0, PrefetchBatches = -1 }));
        Assert.Equal("options", prefetch.ParamName);
        Assert.Contains("BatchLoaderOptions.BatchSize: BatchSize must be at least 1. (value: 0)", prefetch.Message);
        Assert.Contains("BatchLoaderOptions.PrefetchBatches: PrefetchBatches must be 0 (off) or positive. (value: -1)", prefetch.Message);
    }

    [Fact]
    public void SingleOptionRulesAreAttributesWithTheirOwnMessages()
    {
        var scale = Assert.Throws<OptionsValidationException>(() => new SearchBuilder().UseSyntheticDataset(64).ConfigureSearchSpace(s => s.LatentInitScale = 0).Build());
        Assert.StartsWith("SearchSpace.LatentInitScale: LatentInitScale must be above 0 and at most 1000000: at 0, b starts at 0", Assert.Single(scale.Failures), StringComparison.Ordinal);
        Assert.EndsWith("(value: 0)", scale.Failures.Single(), StringComparison.Ordinal);

        var evaluation = Assert.Throws<OptionsValidationException>(() =>
            new EvaluationTrainer(Genotype.DartsV2, new EvaluationOptions { Layout = (NetworkLayout)5, Schedule = (LearningRateSchedule)9 }));
        Assert.Equal(2, evaluation.Failures.Count());
        Assert.Contains("Evaluation.Layout: Layout must be Cifar or ImageNet. (value: 5)", evaluation.Failures);
        Assert.Contains("Evaluation.Schedule: Schedule must be Cosine or Linear. (value: 9)", evaluation.Failures);
    }
}
