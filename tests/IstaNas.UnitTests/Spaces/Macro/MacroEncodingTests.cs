using IstaNas.Spaces.Macro;

namespace IstaNas.Tests.Spaces.Macro;

/// <summary>The benchmark's 8-character architecture strings and the neutral form (choice name to picks), both ways.</summary>
public class MacroEncodingTests
{
    [Theory]
    [InlineData("22212220")]
    [InlineData("00000000")]
    [InlineData("01201201")]
    public void ConvertsBothWays(string architecture)
    {
        IReadOnlyDictionary<string, int[]> picks = MacroSpace.ToPicks(architecture);
        Assert.Equal(MacroSpace.ChoiceNames.Order(StringComparer.Ordinal), picks.Keys.Order(StringComparer.Ordinal));
        for (int i = 0; i < 8; i++) Assert.Equal([architecture[i] - '0'], picks[$"layer{i}"]);
        Assert.Equal(architecture, MacroSpace.FromPicks(picks));
    }

    [Fact]
    public void BadStringsAreRefusedWithWhatIsWrong()
    {
        Assert.Equal("architecture", Assert.Throws<ArgumentNullException>(() => MacroSpace.ToPicks(null!)).ParamName);
        Assert.Contains("'2221222' has 7", Assert.Throws<ArgumentException>(() => MacroSpace.ToPicks("2221222")).Message);
        Assert.Contains("'' has 0", Assert.Throws<ArgumentException>(() => MacroSpace.ToPicks(string.Empty)).Message);
        Assert.Contains("'a' at position 1", Assert.Throws<ArgumentException>(() => MacroSpace.ToPicks("2a212220")).Message);
        Assert.Contains("' ' at position 7", Assert.Throws<ArgumentException>(() => MacroSpace.ToPicks("2221222 ")).Message);
    }

    [Fact]
    public void BadPicksAreRefusedWithTheChoiceNamed()
    {
        Dictionary<string, int[]> Picks() => MacroSpace.ToPicks("22212220").ToDictionary(p => p.Key, p => p.Value);
        Assert.Throws<ArgumentNullException>(() => MacroSpace.FromPicks(null!));

        var missing = Picks();
        missing.Remove("layer3");
        Assert.Contains("no entry for choice 'layer3'", Assert.Throws<ArgumentException>(() => MacroSpace.FromPicks(missing)).Message);

        var extra = Picks();
        extra["layer8"] = [0];
        Assert.Contains("'layer8' is not a choice", Assert.Throws<ArgumentException>(() => MacroSpace.FromPicks(extra)).Message);

        var two = Picks();
        two["layer1"] = [0, 1];
        Assert.Contains("'layer1' keeps exactly 1 candidate, but 2", Assert.Throws<ArgumentException>(() => MacroSpace.FromPicks(two)).Message);

        var none = Picks();
        none["layer2"] = null!;
        Assert.Contains("'layer2' keeps exactly 1 candidate, but null", Assert.Throws<ArgumentException>(() => MacroSpace.FromPicks(none)).Message);

        var range = Picks();
        range["layer7"] = [3];
        Assert.Contains("'layer7' has candidates 0..2", Assert.Throws<ArgumentException>(() => MacroSpace.FromPicks(range)).Message);
    }
}
