using IstaNas.IO;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.IO;

/// <summary>One run per folder, within a process: a nested hold in the same flow is shared, another run is refused, a stale lock file is no lock.</summary>
public class RunFolderLockTests
{
    [Fact]
    public async Task AHoldIsSharedWithinItsFlowAndRefusedToAnotherRunNamingTheFolderAndTheProcess()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        using (IDisposable outer = RunFileWriter.HoldFolder(folder))
        {
            using (RunFolderLock.Take(folder))
            {
                // Another run in this process (a flow that did not take the folder) is refused.
                Task<RunFolderLock> other;
                using (ExecutionContext.SuppressFlow()) other = Task.Run(() => RunFolderLock.Take(folder));
                var ex = await Assert.ThrowsAsync<IOException>(() => other);
                Assert.Contains($"Output folder '{folder}' is in use by another run in this process ({Environment.ProcessId})", ex.Message);

                // A RunFileWriter of that other run records the refusal instead of writing into the folder.
                Task<SavedFiles> intruder;
                using (ExecutionContext.SuppressFlow())
                    intruder = Task.Run(() =>
                    {
                        var files = new RunFileWriter(folder);
                        files.Text("intruder.txt", "x");
                        return files.Finish();
                    });
                SavedFiles refused = await intruder;
                Assert.Contains("is in use", Assert.Single(refused.Failed).Reason);
                Assert.False(File.Exists(Path.Combine(folder, "intruder.txt")));

                // A task this flow starts shares the hold (a search run on a worker thread by its command).
                await Task.Run(() =>
                {
                    var files = new RunFileWriter(folder);
                    files.Text("mine.txt", "x");
                    Assert.True(files.Finish().AllWritten);
                });
            }

            Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", File.ReadAllText(Path.Combine(folder, RunFolderLock.OwnerFileName)));
        }

        // Released: another flow takes it.
        Task free;
        using (ExecutionContext.SuppressFlow()) free = Task.Run(() => RunFolderLock.Take(folder).Dispose());
        await free;
    }

    [Fact]
    public void AStaleLockFileFromAKilledRunDoesNotBlock()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("killed");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunFolderLock.LockFileName), string.Empty);
        File.WriteAllText(Path.Combine(folder, RunFolderLock.OwnerFileName), "process 999999 on gone (search, since 2020-01-01 00:00:00 UTC)\n");
        using (RunFolderLock.Take(folder))
            Assert.StartsWith($"process {Environment.ProcessId} ", File.ReadAllText(Path.Combine(folder, RunFolderLock.OwnerFileName)), StringComparison.Ordinal);
    }
}
