using System.Text.Json;
using IstaNas.IO;
using IstaNas.Quality;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using IstaNas.Validation;

namespace IstaNas.Tests.Validation;

/// <summary>The one options copy (a round trip through the library's JSON form) is complete and deep.</summary>
public class OptionsCopyTests
{
    private static string Json(object o) => JsonSerializer.Serialize(o, o.GetType(), JsonFormat.Compact);

    [Fact]
    public void ACopyHasEveryValueAndMutatingItLeavesTheOriginal()
    {
        var space = new SearchSpaceOptions { ProjectionDims = 5, Operations = ["sep_conv_3x3", "skip_connect"] };
        space.ProjectionDimsByChoice["layer0"] = 2;
        SearchSpaceOptions spaceCopy = OptionsCopy.Of(space);
        Assert.Equal(Json(space), Json(spaceCopy));
        spaceCopy.Operations.Add("max_pool_3x3");
        spaceCopy.ProjectionDimsByChoice["layer0"] = 3;
        spaceCopy.ProjectionDims = 6;
        Assert.Equal(["sep_conv_3x3", "skip_connect"], space.Operations);
        Assert.Equal(2, space.ProjectionDimsByChoice["layer0"]);
        Assert.Equal(5, space.ProjectionDims);

        TwoStageOptions twoStage = TwoStageOptions.Paper();
        TwoStageOptions twoStageCopy = OptionsCopy.Of(twoStage);
        Assert.Equal(Json(twoStage), Json(twoStageCopy));
        Assert.NotSame(twoStage.Architecture, twoStageCopy.Architecture);
        twoStageCopy.Architecture.LearningRate = 1;
        Assert.Equal(6e-4, twoStage.Architecture.LearningRate);

        var study = new ConsistencyOptions { WorkDirectory = "/tmp/study" };
        ConsistencyOptions studyCopy = OptionsCopy.Of(study);
        Assert.Equal(Json(study), Json(studyCopy));
        studyCopy.StandAlone.Epochs = 99;
        Assert.Equal(10, study.StandAlone.Epochs);
    }

    [Fact]
    public void ACopyKeepsTheRuntimeTypeNaNAndInfinities()
    {
        TrainingOptions options = new OneStageOptions { Epochs = 3, ParameterBudgetMillions = null };
        TrainingOptions copy = OptionsCopy.Of(options);
        OneStageOptions oneStage = Assert.IsType<OneStageOptions>(copy);
        Assert.Equal((3, (double?)null), (oneStage.Epochs, oneStage.ParameterBudgetMillions));
        SparseCoderOptions coder = OptionsCopy.Of(new SparseCoderOptions { Lambda = double.NaN, Tolerance = double.PositiveInfinity });
        Assert.True(double.IsNaN(coder.Lambda));
        Assert.Equal(double.PositiveInfinity, coder.Tolerance);
    }

    [Fact]
    public void CopyingIntoAnObjectSharesNothingWithTheSource()
    {
        var from = new DartsOptions { Epochs = 4 };
        from.Architecture.Beta1 = 0.3;
        var to = new DartsOptions();
        OptionsCopy.Into(from, to);
        Assert.Equal(Json(from), Json(to));
        to.Architecture.Beta1 = 0.9;
        Assert.Equal(0.3, from.Architecture.Beta1);
    }
}
