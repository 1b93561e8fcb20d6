using IstaNas.Tests.Strategies;
using Xunit.Abstractions;

namespace IstaNas.Tests.Pins;

/// <summary>
/// Pins the DARTS-cell searches (two-stage, one-stage, DARTS) as they were before the cell space moved onto the decision
/// mechanism (issue 19): bit for bit on a CPU that computes as the one they were written on, within 1e-4 relative on any
/// other (<see cref="AssertSame"/>). The expected dumps are in <see cref="DartsSpacePinExpected"/>; to re-pin after a
/// deliberate change of the method, run these tests with ISTANAS_WRITE_PINS=/some/folder and paste the written files.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public class DartsSpacePinTests(ITestOutputHelper log)
{
    [Fact]
    public void TwoStageMatchesThePin() => AssertSame(DartsSpacePinExpected.TwoStage, DartsSpacePins.TwoStage());

    [Fact]
    public void OneStageMatchesThePin() => AssertSame(DartsSpacePinExpected.OneStage, DartsSpacePins.OneStage());

    [Fact]
    public void DartsMatchesThePin() => AssertSame(DartsSpacePinExpected.Darts, DartsSpacePins.Darts());

    /// <summary>
    /// Difference a number may have from its pin on another CPU, relative to the largest number on its line: libtorch's
    /// kernels round differently from one CPU (vector width, oneDNN on or off) to another, by about 1e-6 of that in these
    /// short runs (measured on an AMD Zen 5 against pins written on another AVX-512 CPU); a change of the method moves
    /// them by far more.
    /// </summary>
    private const double CrossCpuTolerance = 1e-4;

    /// <summary>
    /// Line by line; a number (a double's or a float's bit pattern in hex) may differ from its pin by
    /// <see cref="CrossCpuTolerance"/> of the largest number on its line, every other token must be equal (genotypes, supports, counts). The checkpoint's
    /// weight hash is checked when every number is bit-identical (the CPU the pins were written on, or one that computes
    /// alike); when some number differs within the tolerance, the weights differ as well and their hash says nothing more.
    /// </summary>
    private void AssertSame(string expected, string actual)
    {
        string[] e = expected.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        string[] a = actual.TrimEnd('\n').Split('\n');
        Assert.Equal(e.Length, a.Length);
        double worst = 0;
        string? hashLine = null;
        for (int i = 0; i < e.Length; i++)
        {
            if (e[i] == a[i]) continue;
            if (e[i].StartsWith(HashPrefix, StringComparison.Ordinal) && a[i].StartsWith(HashPrefix, StringComparison.Ordinal))
            {
                hashLine = $"line {i + 1} differs:\nexpected {e[i]}\nactual   {a[i]}";
                continue;
            }

            string[] et = e[i].Split(' '), at = a[i].Split(' ');
            Assert.True(et.Length == at.Length, $"line {i + 1} differs:\nexpected {e[i]}\nactual   {a[i]}");
            // A vector's small entries (a sparse code's, say) round as much as its large ones: the scale is the line's.
            double scale = et.Concat(at).Select(Number).Where(v => v is double d && double.IsFinite(d)).Select(v => Math.Abs(v!.Value)).DefaultIfEmpty(0).Max();
            for (int t = 0; t < et.Length; t++)
            {
                if (et[t] == at[t]) continue;
                if (Number(et[t]) is not double y || Number(at[t]) is not double x)
                    throw new Xunit.Sdk.XunitException($"line {i + 1} differs in '{et[t]}' / '{at[t]}':\nexpected {e[i]}\nactual   {a[i]}");
                double difference = Math.Abs(x - y) / Math.Max(scale, 1e-300);
                worst = Math.Max(worst, difference);
                Assert.True(difference <= CrossCpuTolerance, $"line {i + 1}: {x:R} against the pin's {y:R} ({difference:G3} of the line's largest number):\nexpected {e[i]}\nactual   {a[i]}");
            }
        }

        if (worst == 0) Assert.True(hashLine is null, hashLine);
        log.WriteLine(worst == 0 ? "bit-identical to the pin" : $"within {worst:G3} of the pin (of each line's largest number); the weight hash is not compared");
    }

    private const string HashPrefix = "checkpoint network sha256 ";

    /// <summary>A token that is a double's (16 hex digits) or a float's (8) bit pattern, as its value; else null.</summary>
    private static double? Number(string token) => token.Length switch
    {
        16 when long.TryParse(token, System.Globalization.NumberStyles.HexNumber, null, out long bits) => BitConverter.Int64BitsToDouble(bits),
        8 when int.TryParse(token, System.Globalization.NumberStyles.HexNumber, null, out int bits) => BitConverter.Int32BitsToSingle(bits),
        _ => null,
    };
}
