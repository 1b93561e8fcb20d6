using System.CommandLine;

namespace IstaNas.Cli;

/// <summary>
/// How each command is put together: its options, in the order its help lists them, and its action run under
/// <see cref="CommandErrors.Guard"/> (a one-line <c>error:</c> and exit code 2, never a stack trace).
/// </summary>
internal static class CommandSetup
{
    /// <summary>The command.</summary>
    /// <param name="name">The command's name.</param>
    /// <param name="description">Its description in the help.</param>
    /// <param name="options">Its options, in help order.</param>
    /// <param name="run">What it does; returns the exit code.</param>
    public static Command Create(string name, string description, IEnumerable<Option> options, Func<ParseResult, CancellationToken, int> run)
    {
        var command = new Command(name, description);
        foreach (Option o in options)
            command.Options.Add(o);
        command.SetAction((p, ct) => Guarded(p, ct, run));
        return command;
    }

    /// <summary>Runs a command's action under <see cref="CommandErrors.Guard"/>.</summary>
    public static Task<int> Guarded(ParseResult p, CancellationToken cancellationToken, Func<ParseResult, CancellationToken, int> run) =>
        Task.FromResult(CommandErrors.Guard(() => run(p, cancellationToken)));
}
