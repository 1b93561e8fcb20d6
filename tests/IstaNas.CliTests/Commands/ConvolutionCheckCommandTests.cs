using IstaNas.Cli;
using IstaNas.Runtime;
using IstaNas.Tests.Data;
using IstaNas.Tests.Runtime;

namespace IstaNas.Tests.Commands;

/// <summary>
/// The CLI on a CPU where LibTorch's oneDNN convolutions compute wrong gradients. Where the fault is known (AMD family
/// 0x1A) it caps oneDNN at AVX2 before LibTorch loads and says so; wherever the gradients are still wrong (the user
/// chose the ISA, or an unknown CPU) it turns oneDNN off for the run and says so, where the library alone would refuse
/// to train; elsewhere it says nothing. Which case this machine is, the test measures itself, with oneDNN on.
/// </summary>
[Collection(TorchGlobalStateCollection.Name)]
public class ConvolutionCheckCommandTests
{
    private const string TurnedOff = "the CLI turned them off for this run";
    private const string Capped = "oneDNN capped at its AVX2 kernels (ONEDNN_MAX_CPU_ISA=AVX2)";

    [Fact]
    public void IsaCapAndTurningOffHappenExactlyWhereTheGradientsAreWrong()
    {
        bool faulty = OneDnnSetting.With(true, () => !TorchConvolutions.CheckGradients()); // this process: oneDNN at the CPU's best ISA

        using var dir = new TempDirectory();

        // The user's own choice of ISA (ALL: no cap, as in this process): no cap; oneDNN off exactly where it is wrong.
        string[] chosen = Search(dir.File("chosen"), "ALL");
        Assert.DoesNotContain(chosen, l => l.Contains(Capped, StringComparison.Ordinal));
        Assert.True(chosen.Any(l => l.Contains(TurnedOff, StringComparison.Ordinal)) == faulty, faulty
            ? "oneDNN's gradients are wrong on this CPU, yet the search log does not say that the CLI turned oneDNN off"
            : "oneDNN's gradients are right on this CPU, yet the CLI says it turned oneDNN off");

        // Nothing chosen: the cap where the fault is known, and then the AVX2 kernels are right (nothing turned off).
        string[] plain = Search(dir.File("plain"), null);
        bool known = OneDnnIsaCap.IsKnownFaulty(File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Take(40).ToArray() : []);
        Assert.Equal(known, plain.Any(l => l.Contains(Capped, StringComparison.Ordinal)));
        Assert.Equal(!known && faulty, plain.Any(l => l.Contains(TurnedOff, StringComparison.Ordinal)));
    }

    [Fact]
    public void TheKnownFaultyCpusAreAmdFamily26()
    {
        Assert.True(OneDnnIsaCap.IsKnownFaulty(["processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26", "model\t\t: 2"]));
        Assert.False(OneDnnIsaCap.IsKnownFaulty(["processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17"]));
        Assert.False(OneDnnIsaCap.IsKnownFaulty(["processor\t: 0", "vendor_id\t: GenuineIntel", "cpu family\t: 26", "model\t\t: 2"]));
        Assert.False(OneDnnIsaCap.IsKnownFaulty([]));
    }

    /// <summary>A one-epoch search; its log lines. <paramref name="isa"/>: ONEDNN_MAX_CPU_ISA for the child, or none.</summary>
    private static string[] Search(string output, string? isa)
    {
        var (exit, _, err) = CommandLineTests.RunIn(new Dictionary<string, string?> { ["DNNL_MAX_CPU_ISA"] = null, ["ONEDNN_MAX_CPU_ISA"] = isa },
            TimeSpan.FromMinutes(5), "search", "--data", "synthetic:64", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8",
            "--channels", "4", "--layers", "3", "--quiet", "--output", output);
        Assert.True(exit == 0, $"exit code {exit}: {err}");
        return File.ReadAllLines(Path.Combine(output, "search.log"));
    }
}
