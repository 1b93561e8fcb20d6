using System.Runtime.InteropServices;
using System.Text;
using IstaNas.Cli;

namespace IstaNas.Tests.Commands;

/// <summary>
/// libtorch's "Could not initialize NNPACK!" line: on a CPU that supports NNPACK the real line cannot be made; on one that
/// does not (AMD Zen 5), libtorch 2.10 prints it at every convolution, and the exact stderr that ModelCommandTests and
/// CommandLineTests expect of predict and search shows that the CLI's check keeps it out. What is checked here on every CPU is the mechanism the CLI relies on: whatever native code writes to stderr (file descriptor
/// 2, below .NET's Console) during the silenced call is dropped, stderr works again right after, and the run's log gets
/// one explanation when NNPACK is not available.
/// </summary>
public class NnpackNoticeTests
{
    [Fact]
    public void NativeWritesToStderrDuringTheCallAreDroppedAndStderrIsRestored()
    {
        Assert.True(OperatingSystem.IsLinux(), "The CLI's NNPACK check and this test are for Linux, where CI runs.");
        string file = Path.Combine(Path.GetTempPath(), $"istanas-stderr-{Guid.NewGuid():N}.txt");
        int capture = Open(file, 0x41 | 0x200 /* O_WRONLY | O_CREAT | O_TRUNC */, Convert.ToInt32("600", 8));
        Assert.True(capture >= 0, $"could not open {file}");
        int saved = Dup(2);
        bool? answer;
        try
        {
            Assert.True(Dup2(capture, 2) >= 0);
            WriteToFd2("marker-before-the-call\n");
            answer = NnpackNotice.CallSilently(() =>
            {
                WriteToFd2("marker-inside-the-call: Could not initialize NNPACK! Reason: Unsupported hardware.\n");
                return false;
            });
            WriteToFd2("marker-after-the-call\n");
        }
        finally
        {
            Dup2(saved, 2);
            Close(saved);
            Close(capture);
        }

        string text = File.ReadAllText(file);
        File.Delete(file);
        Assert.False(answer);
        Assert.Contains("marker-before-the-call", text, StringComparison.Ordinal);
        Assert.Contains("marker-after-the-call", text, StringComparison.Ordinal);
        Assert.DoesNotContain("marker-inside-the-call", text, StringComparison.Ordinal);
    }

    [Fact]
    public void StderrIsRestoredWhenTheCallThrows()
    {
        int before = Dup(2);
        try
        {
            Assert.Throws<InvalidOperationException>(() => NnpackNotice.CallSilently(() => throw new InvalidOperationException("inside")));
            // fd 2 points where it pointed before: the same open file (same device and inode).
            Assert.Equal(Identity(before), Identity(2));
        }
        finally
        {
            Close(before);
        }
    }

    [Fact]
    public void AnUnavailableNnpackIsExplainedOnceAndAnAvailableOneNotAtAll()
    {
        NnpackNotice.Explain(available: true);
        string? whenAvailable = NnpackNotice.Note;
        NnpackNotice.Explain(available: false);
        string? first = NnpackNotice.Note;
        NnpackNotice.Explain(available: false);
        Assert.Null(whenAvailable);
        Assert.NotNull(first);
        Assert.Contains("NNPACK", first, StringComparison.Ordinal);
        Assert.Contains("same results", first, StringComparison.Ordinal);
        Assert.Same(first, NnpackNotice.Note);
    }

    private static void WriteToFd2(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(bytes.Length, (int)Write(2, bytes, bytes.Length));
    }

    private static string Identity(int fd) => File.ResolveLinkTarget($"/proc/self/fd/{fd}", returnFinalTarget: false)?.LinkTarget ?? "?";

    [DllImport("libc", EntryPoint = "write")]
    private static extern nint Write(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2")]
    private static extern int Dup2(int fd, int fd2);

    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPStr)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
