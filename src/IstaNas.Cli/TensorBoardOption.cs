using System.CommandLine;
using IstaNas.Training;
using Microsoft.Extensions.Logging;

namespace IstaNas.Cli;

/// <summary>
/// <c>--tensorboard DIR</c> of <c>search</c> and <c>evaluate</c> (not of <c>sweep</c> and <c>consistency</c>, which run
/// many trainings): write every epoch's scalars for TensorBoard beside the console output.
/// </summary>
internal static class TensorBoardOption
{
    /// <summary>The option (one instance, added to both commands).</summary>
    public static readonly Option<string?> Option = new("--tensorboard")
    {
        Description = "Also write each epoch's losses, accuracies, learning rate and (searches) |z| per node as TensorBoard scalars to this " +
                      "directory (created when missing); view them with: tensorboard --logdir DIR. With --resume, give it again to continue the curves.",
        HelpName = "DIR",
    };

    /// <summary>The writer the option asks for, or null when it is not given.</summary>
    /// <exception cref="IOException">The directory cannot be created (the message names it).</exception>
    public static TensorBoardProgress? Open(ParseResult p, ILoggerFactory loggers)
    {
        string? directory = p.GetValue(Option);
        if (directory is null) return null;
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("--tensorboard needs a directory.");
        return new TensorBoardProgress(directory, loggers.CreateLogger("IstaNas.TensorBoard"));
    }

    /// <summary>
    /// The console's epoch progress, followed by the TensorBoard writer when there is one. The writer is asked for at
    /// each report, so that it may be opened after the progress is handed over (after the settings were checked).
    /// </summary>
    public static IProgress<EpochReport> Chain(Action<EpochReport> console, Func<TensorBoardProgress?> tensorBoard) =>
        new InlineProgress<EpochReport>(r =>
        {
            console(r);
            tensorBoard()?.Report(r);
        });
}
