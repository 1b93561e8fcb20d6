using IstaNas.Evaluation;
using IstaNas.Strategies;

namespace IstaNas.Tests.Strategies;

/// <summary>
/// The presets equal the commands the authors published, argument by argument: their README / <c>main_search.sh</c> /
/// <c>main_search_onestage.sh</c> on top of the argparse defaults of <c>tools/train_search.py</c> and
/// <c>tools/train_search_single.py</c> (iboing/ISTA-NAS), and the defaults follow the argparse defaults.
/// </summary>
public class PaperPresetTests
{
    /// <summary><c>tools/train_search.py</c>, lines 19-42: the argparse defaults that shape the run.</summary>
    private static readonly Dictionary<string, double> TrainSearchDefaults = new()
    {
        ["batch_size"] = 64, ["proj_dims"] = 7, ["sparseness"] = 2, ["learning_rate"] = 0.025, ["learning_rate_min"] = 0.001,
        ["momentum"] = 0.9, ["weight_decay"] = 3e-4, ["epochs"] = 50, ["init_channels"] = 16, ["layers"] = 8, ["steps"] = 4,
        ["cutout"] = 0, ["cutout_length"] = 16, ["grad_clip"] = 5, ["train_portion"] = 0.5, ["arch_learning_rate"] = 3e-4,
        ["arch_weight_decay"] = 1e-3,
    };

    /// <summary><c>tools/train_search_single.py</c>, lines 19-44.</summary>
    private static readonly Dictionary<string, double> TrainSearchSingleDefaults = new()
    {
        ["batch_size"] = 96, ["proj_dims"] = 7, ["sparseness"] = 2, ["learning_rate"] = 0.025, ["learning_rate_min"] = 0.001,
        ["momentum"] = 0.9, ["weight_decay"] = 3e-4, ["epochs"] = 600, ["init_channels"] = 36, ["layers"] = 20, ["steps"] = 4,
        ["cutout"] = 0, ["cutout_length"] = 16, ["drop_path_prob"] = 0.2, ["grad_clip"] = 5, ["auxiliary"] = 0,
        ["auxiliary_weight"] = 0.4, ["arch_learning_rate"] = 3e-4, ["arch_weight_decay"] = 1e-3,
    };

    private static Dictionary<string, double> With(Dictionary<string, double> defaults, params (string Name, double Value)[] command)
    {
        var args = new Dictionary<string, double>(defaults);
        foreach (var (name, value) in command) args[name] = value;
        return args;
    }

    private static void AssertTwoStage(Dictionary<string, double> args, TwoStageOptions o)
    {
        Assert.Equal(args["batch_size"], o.BatchSize);
        Assert.Equal(args["learning_rate"], o.LearningRate);
        Assert.Equal(args["learning_rate_min"], o.LearningRateMin);
        Assert.Equal(args["momentum"], o.Momentum);
        Assert.Equal(args["weight_decay"], o.WeightDecay);
        Assert.Equal(args["epochs"], o.Epochs);
        Assert.Equal(args["init_channels"], o.Channels);
        Assert.Equal(args["layers"], o.Layers);
        Assert.Equal(args["cutout"] != 0, o.Cutout);
        Assert.Equal(args["cutout_length"], o.CutoutLength);
        Assert.Equal(args["grad_clip"], o.GradClip);
        Assert.Equal(args["train_portion"], o.TrainPortion);
        Assert.Equal(args["arch_learning_rate"], o.Architecture.LearningRate);
        Assert.Equal(args["arch_weight_decay"], o.Architecture.WeightDecay);
        Assert.Equal((0.5, 0.999), (o.Architecture.Beta1, o.Architecture.Beta2)); // outer_trainer.py, line 14
        Assert.Equal(3, o.StemMultiplier);
        Assert.True(o.Augment);
        Assert.True(o.GradClipIncludesLatent); // inner_trainer.py, line 67: clip_grad_norm_(self.model.parameters(), ...)
        Assert.True(o.StepIdleCandidates); // inner_trainer.py, line 63: optimizer.zero_grad() on PyTorch 1.x
        Assert.Null(o.MaxStepsPerEpoch);
    }

    [Fact]
    public void TwoStagePaperIsTheReadmeCommandOnTopOfTrainSearchDefaults() =>
        AssertTwoStage(With(TrainSearchDefaults, ("batch_size", 256), ("learning_rate", 0.1), ("arch_learning_rate", 6e-4)), TwoStageOptions.Paper());

    [Fact]
    public void TwoStageDefaultsAreTrainSearchArgparseDefaults() => AssertTwoStage(TrainSearchDefaults, new TwoStageOptions());

    [Fact]
    public void OneStagePaperIsTheReadmeCommandOnTopOfTrainSearchSingleDefaults()
    {
        Dictionary<string, double> args = With(TrainSearchSingleDefaults, ("cutout", 1), ("auxiliary", 1));
        foreach (OneStageOptions o in new[] { OneStageOptions.Paper(), new OneStageOptions() })
        {
            Assert.Equal(args["batch_size"], o.BatchSize);
            Assert.Equal(args["learning_rate"], o.LearningRate);
            Assert.Equal(args["learning_rate_min"], o.LearningRateMin);
            Assert.Equal(args["momentum"], o.Momentum);
            Assert.Equal(args["weight_decay"], o.WeightDecay);
            Assert.Equal(args["epochs"], o.Epochs);
            Assert.Equal(args["init_channels"], o.Channels);
            Assert.Equal(args["layers"], o.Layers);
            Assert.Equal(args["cutout"] != 0, o.Cutout);
            Assert.Equal(args["cutout_length"], o.CutoutLength);
            Assert.Equal(args["drop_path_prob"], o.DropPathProbability);
            Assert.Equal(args["grad_clip"], o.GradClip);
            Assert.Equal(args["auxiliary"] != 0, o.Auxiliary);
            Assert.Equal(args["auxiliary_weight"], o.AuxiliaryWeight);
            Assert.Equal(args["arch_learning_rate"], o.Architecture.LearningRate);
            Assert.Equal(args["arch_weight_decay"], o.Architecture.WeightDecay);
            Assert.Equal((0.5, 0.999), (o.Architecture.Beta1, o.Architecture.Beta2)); // inner_trainer.py, line 36-37
            Assert.Equal(1e-3, o.Epsilon); // trainer.py, line 119
            Assert.Equal(3.7, o.ParameterBudgetMillions); // trainer.py, line 206
            Assert.True(o.StepIdleCandidates); // inner_trainer.py, line 57: w_optimizer.zero_grad() on PyTorch 1.x
            Assert.Null(o.MaxSearchEpochs);
        }
    }

    [Fact]
    public void EvaluationCifar10IsTheAuthorsEvaluationCommand()
    {
        // main_evaluation.sh: tools/evaluation.py --auxiliary --cutout --arch $1, argparse defaults at lines 23-41.
        foreach (EvaluationOptions o in new[] { EvaluationOptions.Cifar10(), new EvaluationOptions() })
        {
            Assert.Equal((96, 0.025, 0.9, 3e-4, 600, 36, 20), (o.BatchSize, o.LearningRate, o.Momentum, o.WeightDecay, o.Epochs, o.Channels, o.Layers));
            Assert.Equal((true, 0.4, true, 16, 0.2, 5.0), (o.Auxiliary, o.AuxiliaryWeight, o.Cutout, o.CutoutLength, o.DropPathProbability, o.GradClip));
            Assert.Equal(0, o.LearningRateMin); // CosineAnnealingLR(optimizer, float(args.epochs)): eta_min 0
        }
    }
}
