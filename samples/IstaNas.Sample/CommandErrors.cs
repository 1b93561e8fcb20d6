using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IstaNas.Sample;

/// <summary>Turns the errors a user can cause into a one-line message and exit code 2, without a stack trace.</summary>
internal static class CommandErrors
{
    public static int Guard(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (OptionsValidationException ex)
        {
            return Fail(string.Join("; ", ex.Failures));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException
                                       or FormatException or InvalidOperationException or JsonException)
        {
            // IOException covers FileNotFoundException, DirectoryNotFoundException and CheckpointException.
            return Fail(ex.Message);
        }
        catch (System.Runtime.InteropServices.ExternalException ex)
        {
            // A LibTorch error (its message is a C++ backtrace): its first line, and how to go on from the last checkpoint.
            string first = ex.Message.Split('\n', 2)[0].Trim();
            return Fail($"LibTorch stopped: {first} (docs/troubleshooting.md). A search or evaluation continues from its last checkpoint with --resume.");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return 2;
    }
}
