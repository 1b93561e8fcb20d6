using System.CommandLine;
using IstaNas.Sample;

// istanas: search an architecture with ISTA-NAS, or retrain a genotype.
// With no arguments it runs a two-stage search on the built-in synthetic data set.
var root = new RootCommand("IstaNas sample: neural architecture search by sparse coding (ISTA-NAS) on TorchSharp.");
Command search = SearchCommand.Create();
root.Subcommands.Add(search);
root.Subcommands.Add(EvaluateCommand.Create());
root.SetAction((parse, ct) => SearchCommand.RunAsync(search.Parse([]), ct));

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run with --help to see the options.");
    return 2;
}
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cts.IsCancellationRequested) return; // a second Ctrl+C kills the process
    e.Cancel = true;
    Console.Error.WriteLine("Stopping at the next step (Ctrl+C again to kill)...");
    cts.Cancel();
};
return await parsed.InvokeAsync(cancellationToken: cts.Token);
