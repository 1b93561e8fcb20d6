using System.Diagnostics;
using IstaNas.Cli;
using IstaNas.Runtime;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>
/// The CLI's CPU settings under load: OpenMP's default wait policy on an idle machine, the passive one when other
/// processes keep the cores busy; the thread count never changed by the load, and never a value the user gave.
/// </summary>
public class ThreadChoiceTests
{
    private static MachineLoad Load(int cores, double busy, double? runnable = null) => new(cores, busy, runnable);

    [Fact]
    public void AnIdleMachineKeepsOpenMpsDefaults()
    {
        ThreadChoice c = ThreadChoice.Choose(Load(2, 0.1, 0.2), null, null);
        Assert.Equal((OpenMpWaitPolicy.Default, 0), (c.Policy, c.Threads));
        Assert.Contains("idle", c.Reason);
        Assert.Contains("0.1 of 2 cores", c.Reason);
    }

    [Theory]
    [InlineData(2, 1.0, 1.0)] // one `yes` loop on two cores
    [InlineData(2, 2.0, 2.0)] // a busy two-thread process
    [InlineData(2, 1.9, 5.0)] // oversubscribed
    [InlineData(2, 0.0, 1.2)] // runnable threads seen, little CPU time yet
    [InlineData(2, 0.5, null)] // the threshold
    [InlineData(16, 0.6, null)]
    [InlineData(1, 1.0, 1.0)]
    public void ABusyMachineGetsThePassivePolicyAndKeepsTheThreadCount(int cores, double busy, double? runnable)
    {
        ThreadChoice c = ThreadChoice.Choose(Load(cores, busy, runnable), null, null);
        Assert.Equal((OpenMpWaitPolicy.Passive, 0), (c.Policy, c.Threads)); // results depend on the thread count: the load never changes it
        Assert.Contains("busy", c.Reason);
        Assert.Contains("passive", c.Reason);
        Assert.DoesNotContain('\n', c.Reason);
    }

    [Fact]
    public void JustBelowTheThresholdIsIdle() =>
        Assert.Equal(OpenMpWaitPolicy.Default, ThreadChoice.Choose(Load(2, 0.49, 0.3), null, null).Policy);

    [Fact]
    public void AThreadCountTheUserGaveIsKept()
    {
        ThreadChoice c = ThreadChoice.Choose(Load(2, 2, 2), (2, "--threads"), null);
        Assert.Equal((OpenMpWaitPolicy.Passive, 2), (c.Policy, c.Threads));
        Assert.Contains("2 threads (--threads)", c.Reason);
        ThreadChoice fromEnvironment = ThreadChoice.Choose(Load(2, 2, 2), (0, "OMP_NUM_THREADS=1"), null);
        Assert.Equal((OpenMpWaitPolicy.Passive, 0), (fromEnvironment.Policy, fromEnvironment.Threads));
        Assert.Contains("OMP_NUM_THREADS=1", fromEnvironment.Reason);
    }

    [Theory]
    [InlineData(OpenMpWaitPolicy.Active, "--wait-policy")]
    [InlineData(OpenMpWaitPolicy.Default, "--wait-policy")]
    [InlineData(OpenMpWaitPolicy.Default, "--spin-count 1000")]
    [InlineData(OpenMpWaitPolicy.Default, "OMP_WAIT_POLICY=ACTIVE")]
    [InlineData(OpenMpWaitPolicy.Default, "GOMP_SPINCOUNT=10")]
    public void AWaitPolicyTheUserGaveIsKeptWhateverTheLoad(OpenMpWaitPolicy policy, string source)
    {
        foreach (MachineLoad? load in new[] { Load(2, 2, 2), Load(2, 0, 0), null })
        {
            ThreadChoice c = ThreadChoice.Choose(load, null, (policy, source));
            Assert.Equal((policy, 0), (c.Policy, c.Threads));
            Assert.Contains(source, c.Reason);
            Assert.Contains("as given", c.Reason);
        }
    }

    [Fact]
    public void EverythingGivenIsSaidAsGiven()
    {
        ThreadChoice c = ThreadChoice.Choose(Load(2, 2, 9), (2, "--threads"), (OpenMpWaitPolicy.Active, "--wait-policy"));
        Assert.Equal((OpenMpWaitPolicy.Active, 2), (c.Policy, c.Threads));
        Assert.Equal("CPU threads: as given: wait policy active (--wait-policy); 2 threads (--threads).", c.Reason);
    }

    [Fact]
    public void AnUnknownLoadKeepsTheDefaults()
    {
        ThreadChoice c = ThreadChoice.Choose(null, null, null);
        Assert.Equal((OpenMpWaitPolicy.Default, 0), (c.Policy, c.Threads));
        Assert.Contains("unknown", c.Reason);
    }

    [Fact]
    public void BusyLoopsOnEveryCoreAreSeenAsLoad()
    {
        if (!OperatingSystem.IsLinux()) return; // the observation reads /proc
        var loops = new List<Process>();
        try
        {
            for (int i = 0; i < Environment.ProcessorCount; i++)
                loops.Add(Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!);
            Thread.Sleep(300); // the loops are running
            MachineLoad? load = MachineLoad.Observe(TimeSpan.FromMilliseconds(300));
            Assert.NotNull(load);
            Assert.Equal(Environment.ProcessorCount, load.Cores);
            Assert.InRange(load.OthersBusy, 0, load.Cores);
            Assert.True(load.Demand >= ThreadChoice.BusyDemand, $"{Environment.ProcessorCount} busy loops, yet {load}");
            Assert.Equal(OpenMpWaitPolicy.Passive, ThreadChoice.Choose(load, null, null).Policy);
        }
        finally
        {
            foreach (Process p in loops)
            {
                p.Kill();
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    [Fact]
    public void TheSearchLogSaysWhatWasChosenAndWhy()
    {
        using var dir = new TempDirectory();
        string[] common = ["search", "--data", "synthetic:64", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "8", "--channels", "4", "--layers", "3", "--quiet"];
        Run([.. common, "--output", dir.File("auto")]);
        string line = Assert.Single(File.ReadAllLines(Path.Combine(dir.File("auto"), "search.log")), l => l.Contains("CPU threads:", StringComparison.Ordinal));
        Assert.True(line.Contains("the machine is idle", StringComparison.Ordinal) || line.Contains("the machine is busy", StringComparison.Ordinal), line);
        Run([.. common, "--threads", "1", "--wait-policy", "passive", "--output", dir.File("given")]);
        Assert.Contains(File.ReadAllLines(Path.Combine(dir.File("given"), "search.log")),
            l => l.EndsWith("CPU threads: as given: wait policy passive (--wait-policy); 1 thread (--threads).", StringComparison.Ordinal));
    }

    /// <summary>Runs the CLI without the OpenMP variables of the test's own environment, which would count as the user's choice.</summary>
    private static void Run(string[] args)
    {
        var (exit, stdout, stderr) = CommandLineTests.RunIn(
            new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = null, ["OMP_WAIT_POLICY"] = null, ["GOMP_SPINCOUNT"] = null }, TimeSpan.FromMinutes(5), args);
        Assert.True(exit == 0, $"exit {exit}: {stderr}{stdout}");
    }
}
