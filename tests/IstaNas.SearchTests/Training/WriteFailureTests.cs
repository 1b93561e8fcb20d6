using System.Diagnostics;
using IstaNas.Checkpoints;
using IstaNas.IO;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;

namespace IstaNas.Tests.Training;

/// <summary>A failed write never loses a run: checkpoints are retried, result files are written one by one, nothing written is corrupted.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class WriteFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        AtomicFile.FailWritesForTesting = null;
        _dir.Dispose();
    }

    private static SearchResult TwoStage(string checkpoints, int epochs = 3) =>
        new SearchBuilder()
            .UseDataset(TinySearch.Data(count: 128))
            .UseTwoStage(o => { TinySearch.Configure(o, epochs: epochs, steps: 1); o.CheckpointDirectory = checkpoints; })
            .UseSeed(3)
            .Build()
            .Run();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AFailedCheckpointWriteAtAnyEpochIsLoggedRetriedAndTheRunFinishes(int failingEpoch)
    {
        string dir = _dir.File("run"), path = Path.Combine(dir, "two-stage.ckpt");
        SearchResult reference = TwoStage(_dir.File("reference"));
        int writes = 0;
        byte[]? before = null;
        AtomicFile.FailWritesForTesting = p =>
        {
            if (p != path) return false;
            writes++;
            if (writes == failingEpoch && File.Exists(path)) before = File.ReadAllBytes(path);
            return writes == failingEpoch;
        };
        SearchResult result = TwoStage(dir);
        Assert.Equal(reference.Genotype, result.Genotype);
        Assert.Equal(3, result.History.Count);
        string warning = Assert.Single(result.Warnings);
        Assert.Contains("Could not write the checkpoint", warning);
        Assert.Contains(path, warning);
        if (failingEpoch < 3)
        {
            // Retried after the next epoch: the file on disk is the final, valid checkpoint.
            Assert.Equal(path, result.CheckpointPath);
            Assert.Equal(3, Checkpoint.Load(path).Metadata.Epoch);
        }
        else
        {
            // The last write failed: the previous checkpoint is intact and still loads.
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(2, Checkpoint.Load(path).Metadata.Epoch);
        }

        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    public static TheoryData<string> ResultFiles() =>
        new() { "genotype.json", "genotype.txt", "architecture.json", "history.json", "history.csv", "search_space.json", "result.json" };

    [Theory]
    [MemberData(nameof(ResultFiles))]
    public void AFailedResultFileIsReportedAndEveryOtherFileIsWritten(string failing)
    {
        SearchResult result = TwoStage(checkpoints: _dir.File("ckpt"), epochs: 1);
        string out1 = _dir.File("out");
        result.Save(out1); // a first, complete save
        string target = Path.Combine(out1, failing);
        byte[] before = File.ReadAllBytes(target);
        AtomicFile.FailWritesForTesting = p => p == target;
        SavedFiles saved = result.Save(out1);
        FileFailure failure = Assert.Single(saved.Failed);
        Assert.Equal(target, failure.Path);
        Assert.Contains("Injected write failure", failure.Reason);
        Assert.Equal(6, saved.Written.Count);
        Assert.Equal(before, File.ReadAllBytes(target)); // the earlier file is not corrupted
        Assert.Empty(Directory.GetFiles(out1, "*.tmp"));
        Assert.NotNull(result.Genotype); // the result in memory is untouched
    }

    [Fact]
    public void AFullDiskKeepsTheRunAndTheResultWhereTheFilesystemAllowsATinyTmpfs()
    {
        string mount = _dir.File("tiny");
        Directory.CreateDirectory(mount);
        if (!TryMount(mount))
        {
            // Not root or no tmpfs here: the injected failures above cover the logic; nothing to check on this machine.
            return;
        }

        try
        {
            // 64 KiB: genotype files fit, the checkpoint (about 100 KiB at this size) does not.
            SearchResult result = TwoStage(mount, epochs: 2);
            Assert.Equal(2, result.History.Count);
            Assert.Null(result.CheckpointPath);
            Assert.Contains(result.Warnings, w => w.Contains("Could not write the checkpoint", StringComparison.Ordinal));
            SavedFiles saved = result.Save(mount);
            Assert.Contains(saved.Written, f => f.EndsWith("genotype.json", StringComparison.Ordinal));
            Assert.Equal(result.Genotype, IstaNas.Architecture.Genotype.Load(Path.Combine(mount, "genotype.json")));
            Assert.Empty(Directory.GetFiles(mount, "*.tmp"));
        }
        finally
        {
            Process.Start("umount", mount)!.WaitForExit();
        }
    }

    [Fact]
    public void TemporaryFilesOfAKilledWriteAreRemovedWhenTheNextRunStarts()
    {
        string dir = _dir.File("run");
        Directory.CreateDirectory(dir);
        string stale = Path.Combine(dir, ".two-stage.ckpt.999999.0123456789abcdef.tmp"); // a process id that is not running
        File.WriteAllBytes(stale, new byte[100]);
        string foreign = Path.Combine(dir, ".other.json.999999.0123.tmp");
        File.WriteAllBytes(foreign, new byte[10]);
        TwoStage(dir, epochs: 1);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(foreign)); // not this run's file
    }

    private static bool TryMount(string path)
    {
        try
        {
            using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", path])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            mount.WaitForExit();
            return mount.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
