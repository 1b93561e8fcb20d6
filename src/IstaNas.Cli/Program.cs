using System.CommandLine;
using IstaNas.Cli;

// istanas: search an architecture with ISTA-NAS, retrain a genotype, or export a trained network.
// With no arguments it runs a two-stage search on the built-in synthetic data set.
var root = new RootCommand("istanas: neural architecture search by sparse coding (ISTA-NAS) on TorchSharp.");
Command search = SearchCommand.Create();
root.Subcommands.Add(search);
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(ConsistencyCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(AggregateCommand.Create());
root.SetAction((parse, ct) => SearchCommand.RunAsync(search.Parse([]), ct));

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run with --help to see the options.");
    return 2;
}
// Ctrl+C or SIGTERM: stop at the next step, save what was reached, exit 130. A second Ctrl+C kills the process.
using var cts = new CancellationTokenSource();
void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    if (cts.IsCancellationRequested) return;
    context.Cancel = true;
    Console.Error.WriteLine("Stopping at the next step (Ctrl+C again to kill)...");
    cts.Cancel();
}
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cts.Token);
}
catch (Exception ex)
{
    // Every command guards itself (CommandErrors.Guard); this is the last guard, so no exception ever ends in a stack trace.
    return CommandErrors.Unexpected(ex);
}
