using IstaNas.Spaces.Nb201;

namespace IstaNas.Tests.Spaces.Nb201;

public class Nb201ArchitectureTests
{
    private const string Example = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

    [Fact]
    public void ParsesAndFormatsTheBenchmarksString()
    {
        var cell = Nb201Architecture.Parse(Example);
        Assert.Equal([3, 3, 3, 1, 3, 3], cell.Edges);
        Assert.Equal(Example, cell.ToString());
        Assert.Equal("skip_connect", cell.OperationOf(3, 0));
        Assert.Equal("nor_conv_3x3", cell.OperationOf(2, 1));
    }

    [Fact]
    public void EveryCellOfTheSpaceRoundTripsThroughItsString()
    {
        var all = Nb201Architecture.All().ToList();
        Assert.Equal(15_625, all.Count);
        Assert.Equal(15_625, all.Distinct().Count());
        Assert.All(all, cell => Assert.Equal(cell, Nb201Architecture.Parse(cell.ToString())));
        Assert.Equal(Nb201Architecture.Uniform("none"), all[0]);
        Assert.Equal(Nb201Architecture.Uniform("avg_pool_3x3"), all[^1]);
    }

    [Theory]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "3")]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", "node 2 has 1 input")]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~1|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", "in order")]
    [InlineData("|conv_5x5~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", "unknown operation 'conv_5x5'")]
    [InlineData("|nor_conv_3x3|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", "operation~input")]
    [InlineData("nor_conv_3x3~0+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", "start and end with '|'")]
    [InlineData("", "3")]
    public void MalformedStringsAreRejectedWithTheReason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => Nb201Architecture.Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.Contains("not a NAS-Bench-201 architecture string", error.Message);
    }

    [Fact]
    public void ConvertsToAndFromTheNeutralForm()
    {
        var cell = Nb201Architecture.Parse(Example);
        IReadOnlyDictionary<string, int[]> choices = cell.ToChoices();
        Assert.Equal(["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"], choices.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1], choices["3<-0"]);
        Assert.Equal(cell, Nb201Architecture.FromChoices(choices));
    }

    [Fact]
    public void TheNeutralFormMustNameEveryEdgeWithOnePick()
    {
        var choices = new Dictionary<string, int[]>(Nb201Architecture.Parse(Example).ToChoices());
        choices["3<-2"] = [1, 3];
        Assert.Contains("exactly one pick", Assert.Throws<ArgumentException>(() => Nb201Architecture.FromChoices(choices)).Message);
        choices.Remove("3<-2");
        Assert.Contains("no pick for edge 3<-2", Assert.Throws<ArgumentException>(() => Nb201Architecture.FromChoices(choices)).Message);
        choices["3<-2"] = [7];
        Assert.Contains("operation index 7", Assert.Throws<ArgumentException>(() => Nb201Architecture.FromChoices(choices)).Message);
        choices["3<-2"] = [1];
        choices["4<-3"] = [1];
        Assert.Contains("'4<-3' is not a NAS-Bench-201 edge", Assert.Throws<ArgumentException>(() => Nb201Architecture.FromChoices(choices)).Message);
    }
}
