using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>
/// No value given to <c>sweep</c> can add a line or a command to the Slurm script or the Kubernetes manifest it writes:
/// each is checked against its scheduler's syntax and refused with a one-line error naming the option, before any file is written.
/// </summary>
public sealed class SweepInjectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] Sweep(string runner, string output) =>
    [
        "sweep", "--runner", runner, "--seeds", "1", "--strategies", "two-stage", "--data", "synthetic:64", "--executable", "/bin/true", "--output", output,
    ];

    private static readonly string[] Kubernetes = ["--image", "registry.example/istanas:1", "--volume-claim", "istanas-runs"];

    [Theory]
    [InlineData("--slurm-option", "--mem=1G\nrm -rf /tmp/x")]
    [InlineData("--slurm-option", "--mem=1G\n")]
    [InlineData("--slurm-option", "rm -rf /tmp/x")]
    [InlineData("--slurm-option", "--mem=1G; rm -rf /")]
    [InlineData("--slurm-time", "soon; rm -rf /")]
    [InlineData("--slurm-time", "01:00:00\nrm -rf /")]
    [InlineData("--slurm-partition", "gpu\nrm -rf /")]
    [InlineData("--job-name", "Bad Name!")]
    [InlineData("--job-name", "x\necho owned")]
    public void ASlurmValueThatCouldInjectIsRefusedNamingItsOption(string option, string value)
    {
        string output = _dir.File("slurm");
        var (exit, _, err) = CommandLineTests.Run([.. Sweep("slurm", output), $"{option}={value}"]); // option=value: a value may start with -
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {option} ", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(output, "sweep.sbatch")), "no script is written for a refused value");
    }

    [Fact]
    public void AnOutputFolderWithALineBreakCannotReachAnSbatchLine()
    {
        string output = _dir.File("bad\nrm -rf x");
        var (exit, _, err) = CommandLineTests.Run(Sweep("slurm", output));
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --output ", err);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void GoodSlurmValuesAreWrittenAndAFolderWithASpaceIsQuoted()
    {
        string output = _dir.File("with space");
        var (exit, _, err) = CommandLineTests.Run([.. Sweep("slurm", output), "--slurm-time", "1-12:30", "--slurm-partition", "cpu,long", "--slurm-option=--mem=8G",
            "--slurm-option=-C avx2", "--job-name", "My_Job.1"]);
        Assert.True(exit == 0, err);
        string script = File.ReadAllText(Path.Combine(output, "sweep.sbatch"));
        foreach (string line in new[] { "--time=1-12:30", "--partition=cpu,long", "--mem=8G", "-C avx2", "--job-name=My_Job.1", $"--output=\"{output}/logs/%A_%a.out\"" })
            Assert.Contains($"#SBATCH {line}\n", script);
    }

    [Theory]
    [InlineData("--job-name", "Bad Name!")]
    [InlineData("--job-name", "UPPER")]
    [InlineData("--job-name", "-leading-dash")]
    [InlineData("--volume-claim", "claim\n  evil: true")]
    [InlineData("--image", "img:1\n  evil: true")]
    [InlineData("--mount-path", "/runs\n  evil: true")]
    public void AKubernetesValueOutsideItsRulesIsRefusedNamingItsOption(string option, string value)
    {
        string output = _dir.File("k8s");
        string[] args = [.. Sweep("kubernetes", output), .. Kubernetes];
        int at = Array.IndexOf(args, option);
        args = at >= 0 ? [.. args[..at], $"{option}={value}", .. args[(at + 2)..]] : [.. args, $"{option}={value}"];
        var (exit, _, err) = CommandLineTests.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {option} ", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(output, "sweep-job.yaml")), "no manifest is written for a refused value");
    }

    [Fact]
    public void ANameLongerThanAKubernetesLabelIsRefused()
    {
        var (exit, _, err) = CommandLineTests.Run([.. Sweep("kubernetes", _dir.File("k8s")), .. Kubernetes, $"--job-name={new string('a', 64)}"]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --job-name ", err);
        Assert.Contains("at most 63", err);
    }
}
