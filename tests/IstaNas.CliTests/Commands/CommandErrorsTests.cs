using System.Runtime.InteropServices;
using IstaNas.Cli;

namespace IstaNas.Tests.Commands;

/// <summary>A LibTorch error reaches the user as one line that names it and says how to go on, not as a C++ backtrace.</summary>
public class CommandErrorsTests
{
    [Fact]
    public void ALibTorchErrorBecomesOneLineWithTheWayToResume()
    {
        const string native = "Unknown scalar type.\nException raised from type at /pytorch/c10/core/Scalar.h:339 (most recent call first):\n" +
                              "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0xb0";
        var previous = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        int code;
        try
        {
            code = CommandErrors.Guard(() => throw new ExternalException(native));
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Equal(2, code);
        string[] lines = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("error: LibTorch stopped: Unknown scalar type.", line);
        Assert.Contains("--resume", line);
        Assert.DoesNotContain("frame #0", line);
    }

    /// <summary>Runs <paramref name="run"/> under the guard and returns its exit code and what it wrote to stderr.</summary>
    private static (int Code, string Err) Guarded(Func<int> run)
    {
        var previous = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            return (CommandErrors.Guard(run), captured.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    public static TheoryData<Exception, string> Unexpected => new()
    {
        { new OutOfMemoryException("Array dimensions exceeded supported range."), "error: out of memory: Array dimensions exceeded supported range." },
        { new System.Reflection.TargetException("Object does not match target type."), "error: unexpected TargetException: Object does not match target type." },
        { new NotSupportedException("no\nway"), "error: unexpected NotSupportedException: no way" },
        { new NullReferenceException("Object reference not set."), "error: unexpected NullReferenceException: Object reference not set." },
    };

    [Theory]
    [MemberData(nameof(Unexpected))]
    public void EveryExceptionTypeBecomesOneLineAndExitCodeTwo(Exception thrown, string expected)
    {
        var (code, err) = Guarded(() => throw thrown);
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line);
    }
}
