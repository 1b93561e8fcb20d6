namespace IstaNas.Tests.Commands;

/// <summary>
/// <c>search --preset paper</c> prints the effective settings, and they are the commands the authors published
/// (iboing/ISTA-NAS README, <c>main_search.sh</c>, <c>main_search_onestage.sh</c>, on the argparse defaults of
/// <c>tools/train_search.py</c> and <c>tools/train_search_single.py</c>, seeds included).
/// </summary>
public class PresetCommandTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void TwoStagePaperIsTrainSearchWithBatch256Lr01ArchLr6e4()
    {
        var (exit, output, err) = CommandLineTests.Run("search", "--preset", "paper", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Equal(
        [
            "preset paper: iboing/ISTA-NAS README and main_search.sh: python ./tools/train_search.py --batch_size 256 --learning_rate 0.1 --arch_learning_rate 6e-4",
            "settings: two-stage: C=16 L=8 batch 256; 50 epochs; W: SGD lr 0.1 cosine to 0.001, momentum 0.9, weight decay 0.0003, grad clip 5 over W and b; " +
            "b: Adam lr 0.0006 betas 0.5/0.999, weight decay 0.001; train portion 0.5; augment on, cutout off; idle candidates stepped; m=7 s=2 uniform A; seed 2",
        ], Lines(output));
    }

    [Fact]
    public void OneStagePaperIsTrainSearchSingleWithCutoutAndAuxiliary()
    {
        var (exit, output, err) = CommandLineTests.Run("search", "--strategy", "one-stage", "--preset", "paper", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Equal(
        [
            "preset paper: iboing/ISTA-NAS README and main_search_onestage.sh: python ./tools/train_search_single.py --cutout --auxiliary",
            "settings: one-stage: C=36 L=20 batch 96; 600 training epochs after the search (search cap 600); W: SGD lr 0.025 held while searching, cosine to 0.001, " +
            "momentum 0.9, weight decay 0.0003, grad clip 5 over W; b: Adam lr 0.0003 betas 0.5/0.999, weight decay 0.001; auxiliary 0.4, drop path 0.2, " +
            "epsilon 0.001, budget 3.7 M; augment on, cutout 16; idle candidates stepped; m=7 s=2 uniform A; seed 5",
        ], Lines(output));
    }

    [Fact]
    public void OptionsGivenExplicitlyOverrideThePresetAndTheCpuDefaultsApplyWithoutIt()
    {
        var (exit, output, err) = CommandLineTests.Run("search", "--preset", "paper", "--epochs", "3", "--seed", "7", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Contains("C=16 L=8 batch 256; 3 epochs; W: SGD lr 0.1", output);
        Assert.EndsWith("seed 7", Lines(output)[^1]);

        (exit, output, err) = CommandLineTests.Run("search", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.StartsWith("settings: two-stage: C=8 L=5 batch 32; 10 epochs; W: SGD lr 0.025", Lines(output).Single());
    }

    [Fact]
    public void EvaluatePaperIsTheAuthorsCifarAndImageNetEvaluation()
    {
        var (exit, output, err) = CommandLineTests.Run("evaluate", "--genotype", "ista_twostage", "--preset", "paper", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Equal(
        [
            "preset paper: iboing/ISTA-NAS main_evaluation.sh: python ./tools/evaluation.py --auxiliary --cutout --arch $1 (DARTS' cnn/train.py protocol)",
            "settings: cifar network C=36 L=20 batch 96, 600 epochs; SGD lr 0.025 cosine to 0, momentum 0.9, weight decay 0.0003, grad clip 5; " +
            "auxiliary 0.4, cutout 16, drop path 0.2, label smoothing 0; BN after pools and skips off; seed 0",
        ], Lines(output));

        (exit, output, err) = CommandLineTests.Run("evaluate", "--genotype", "ista_imagenet", "--preset", "paper", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Equal(
            "settings: imagenet network C=48 L=14 batch 1024, 250 epochs; SGD lr 0.5 linear after 5 warm-up epochs, momentum 0.9, weight decay 0.00003, " +
            "grad clip 5; auxiliary 0.4, cutout off, drop path 0, label smoothing 0.1; BN after pools and skips off; seed 0",
            Lines(output)[^1]);

        (exit, output, err) = CommandLineTests.Run("evaluate", "--genotype", "ista_twostage", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.StartsWith("settings: cifar network C=8 L=5 batch 32, 5 epochs;", Lines(output).Single());
    }

    [Theory]
    [InlineData("the authors published no darts search", "--strategy", "darts", "--preset", "paper")]
    [InlineData("the authors published no random search", "--strategy", "random", "--preset", "paper")]
    [InlineData("--preset 'cpu' is not known", "--preset", "cpu")]
    public void APresetTheAuthorsDidNotPublishIsAClearError(string expected, params string[] args)
    {
        var (exit, _, err) = CommandLineTests.Run(["search", .. args, "--dry-run"]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", err);
        Assert.Contains(expected, err);
    }
}
