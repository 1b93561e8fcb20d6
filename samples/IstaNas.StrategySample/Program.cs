using IstaNas;
using IstaNas.Runtime;
using IstaNas.Strategies;
using StrategySample;

// A search with a strategy of its own on a model with choices, on the built-in synthetic images. The library's loop
// writes runs/shrinking/shrinking.ckpt after every epoch; run again with --resume to continue it (after Ctrl+C, say).
var options = new ShrinkingOptions { Epochs = 4, BatchSize = 32, MaxStepsPerEpoch = 10, CheckpointDirectory = Path.Combine("runs", "shrinking") };
// Some AVX-512 CPUs (AMD Zen 5) get wrong convolution gradients from libtorch 2.10's oneDNN; IstaNas refuses to train there
// until the application chooses LibTorch's own kernels for the process, as here (docs/troubleshooting.md).
if (!TorchConvolutions.CheckGradients()) TorchConvolutions.SetOneDnnEnabled(false);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var builder = new SearchBuilder()
    .UseSyntheticDataset(count: 256)
    .UseSpace(() => new TinyNet())
    .UseStrategy(new ShrinkingStrategy(options))
    .UseSeed(1)
    .WithProgress(new Progress<EpochReport>(r => Console.WriteLine($"epoch {r.Epoch}/{r.Epochs}: train loss {r.TrainLoss:0.000}, valid loss {r.ValidLoss:0.000}")));
string checkpoint = Path.Combine(options.CheckpointDirectory, "shrinking.ckpt");
if (args.Contains("--resume"))
{
    if (!File.Exists(checkpoint))
    {
        Console.Error.WriteLine($"No checkpoint to resume: '{checkpoint}' does not exist (run without --resume first).");
        Environment.ExitCode = 2;
        return;
    }
    builder.ResumeFrom(checkpoint);
}

SearchResult result = builder.Build().Run(cancel.Token);
Console.Write(result.Architecture);
if (result.Cancelled) return;
using var fixedNet = result.Architecture!.Fix(new TinyNet());
Console.WriteLine($"fixed network with {fixedNet.parameters().Sum(p => p.numel())} parameters");
