using IstaNas.Tests.Strategies;

namespace IstaNas.Tests.Pins;

/// <summary>
/// Pins the DARTS-cell searches (two-stage, one-stage, DARTS) bit for bit, as they were before the cell space moved onto
/// the decision mechanism (issue 19). The expected dumps are in <see cref="DartsSpacePinExpected"/>; to re-pin after a
/// deliberate change of the method, run these tests with ISTANAS_WRITE_PINS=/some/folder and paste the written files.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public class DartsSpacePinTests
{
    [Fact]
    public void TwoStageIsBitIdenticalToThePin() => AssertSame(DartsSpacePinExpected.TwoStage, DartsSpacePins.TwoStage());

    [Fact]
    public void OneStageIsBitIdenticalToThePin() => AssertSame(DartsSpacePinExpected.OneStage, DartsSpacePins.OneStage());

    [Fact]
    public void DartsIsBitIdenticalToThePin() => AssertSame(DartsSpacePinExpected.Darts, DartsSpacePins.Darts());

    private static void AssertSame(string expected, string actual)
    {
        string[] e = expected.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        string[] a = actual.TrimEnd('\n').Split('\n');
        for (int i = 0; i < Math.Min(e.Length, a.Length); i++)
            Assert.True(e[i] == a[i], $"line {i + 1} differs:\nexpected {e[i]}\nactual   {a[i]}");
        Assert.Equal(e.Length, a.Length);
    }
}
