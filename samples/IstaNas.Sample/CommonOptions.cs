using System.CommandLine;

namespace IstaNas.Sample;

/// <summary>Options that <c>search</c> and <c>evaluate</c> both take, with the same meaning and checks.</summary>
internal static class CommonOptions
{
    public static Option<string> Device() => new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    public static Option<int> Threads() =>
        new("--threads") { Description = "Intra-op CPU threads (default: TorchSharp's choice; 1 is much faster on a busy machine).", DefaultValueFactory = _ => 0 };

    public static Option<bool> Json() =>
        new("--json") { Description = "Print one JSON object per epoch and a final summary on stdout, for scripts." };

    /// <summary>Checks --threads (0 keeps TorchSharp's choice) and returns it.</summary>
    public static int CheckThreads(int threads) =>
        threads >= 0 ? threads : throw new ArgumentException($"--threads must be positive (or 0 for the default), not {threads}.");

    /// <summary>Applies a checked --threads value.</summary>
    public static void ApplyThreads(int threads)
    {
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
    }
}
