using System.CommandLine;
using IstaNas.Runtime;

namespace IstaNas.Sample;

/// <summary>Options that every training command takes, with the same meaning and checks.</summary>
internal static class CommonOptions
{
    private static readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    private static readonly Option<int> Threads = new("--threads")
    {
        Description = "Intra-op CPU threads (default: TorchSharp's choice, one per core).",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<string> WaitPolicy = new("--wait-policy")
    {
        Description = "OpenMP wait policy of the CPU threads: default (OpenMP's), active (spin; fastest on an idle machine) or passive " +
                      "(sleep; best when other busy processes share the cores). See docs/benchmarks.md.",
        DefaultValueFactory = _ => "default",
    };

    private static readonly Option<long?> SpinCount = new("--spin-count") { Description = "GNU OpenMP spin count before a waiting thread sleeps (GOMP_SPINCOUNT)." };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object per epoch and a final summary on stdout, for scripts (docs/output-files.md)." };

    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the final result." };

    /// <summary>Adds the common options to a command.</summary>
    public static void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Device, Threads, WaitPolicy, SpinCount, Quiet, Json })
            command.Options.Add(o);
    }

    /// <summary>Reads and checks the common options; applies the wait policy (it must precede the first TorchSharp call).</summary>
    public static Values Read(ParseResult p)
    {
        OpenMpWaitPolicy policy = p.GetValue(WaitPolicy)!.Trim().ToLowerInvariant() switch
        {
            "default" => OpenMpWaitPolicy.Default,
            "active" => OpenMpWaitPolicy.Active,
            "passive" => OpenMpWaitPolicy.Passive,
            string other => throw new ArgumentException($"--wait-policy '{other}' is not known; use default, active or passive."),
        };
        long? spin = p.GetValue(SpinCount);
        if (spin < 0) throw new ArgumentException($"--spin-count must be 0 or more, not {spin}.");
        TorchThreads.SetOpenMpWaitPolicy(policy, spin);
        int threads = p.GetValue(Threads);
        if (threads < 0) throw new ArgumentException($"--threads must be positive (or 0 for the default), not {threads}.");
        string device = p.GetValue(Device)!;
        if (device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !TorchSharp.torch.cuda.is_available())
            throw new ArgumentException($"--device {device}: CUDA is not available in this process (CPU build of TorchSharp or no GPU).");
        try
        {
            _ = new TorchSharp.torch.Device(device);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"--device '{device}' is not a device; use cpu, cuda or cuda:N.", ex);
        }

        try
        {
            _ = new SearchBuilder().UseDevice(device); // refused here, at set-up, when LibTorch cannot train on it (meta, say)
            NnpackNotice.CheckSilently(); // libtorch is loaded now: no "Could not initialize NNPACK!" line later
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"--device {device}: {ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal)}", ex);
        }

        return new Values(device, threads, p.GetValue(Quiet), p.GetValue(Json));
    }

    /// <summary>The checked common options.</summary>
    public sealed record Values(string Device, int Threads, bool Quiet, bool Json)
    {
        /// <summary>The torch device.</summary>
        public TorchSharp.torch.Device TorchDevice => new(Device);

        /// <summary>Applies --threads (0 keeps TorchSharp's choice).</summary>
        public void ApplyThreads()
        {
            if (Threads > 0) TorchThreads.SetIntraOpThreads(Threads);
        }
    }
}
