using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IstaNas.Cli;

/// <summary>
/// Turns every exception a command throws into a one-line <c>error:</c> message and exit code 2, without a stack trace: the
/// errors a user can cause by their message; anything else (out of memory included) by its kind and message.
/// </summary>
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
        catch (OutOfMemoryException ex)
        {
            return Fail($"out of memory: {ex.Message} A search or evaluation continues from its last checkpoint with --resume (with a smaller --batch-size).");
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: cancelled (Ctrl+C or SIGTERM) before there was anything to save.");
            return 130;
        }
        catch (Exception ex)
        {
            return Unexpected(ex);
        }
    }

    /// <summary>An exception no command expects, as one line naming its type (the last guard, also around the whole program).</summary>
    public static int Unexpected(Exception ex) =>
        ex is OutOfMemoryException ? Fail($"out of memory: {ex.Message}") : Fail($"unexpected {ex.GetType().Name}: {ex.Message}");

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return 2;
    }
}
