using System.CommandLine;
using IstaNas.Runtime;
using Microsoft.Extensions.Logging;

namespace IstaNas.Cli;

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
        Description = "OpenMP wait policy of the CPU threads: auto (OpenMP's default on an idle machine, passive when other processes keep " +
                      "the cores busy), default (OpenMP's), active (spin; fastest on an idle machine) or passive (sleep; best when other busy " +
                      "processes share the cores). See docs/benchmarks.md.",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Option<long?> SpinCount = new("--spin-count") { Description = "GNU OpenMP spin count before a waiting thread sleeps (GOMP_SPINCOUNT)." };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object per epoch and a final summary on stdout, for scripts (docs/output-files.md)." };

    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the final result." };

    /// <summary>The common options, in help order.</summary>
    public static IReadOnlyList<Option> All => [Device, Threads, WaitPolicy, SpinCount, Quiet, Json];

    /// <summary>
    /// Reads and checks the common options; applies the wait policy (it must precede the first TorchSharp call). With
    /// <paramref name="fitToLoad"/> and no policy from the user, the policy fits the machine's load (<see cref="ThreadChoice"/>);
    /// without, it stays OpenMP's default.
    /// </summary>
    public static Values Read(ParseResult p, bool fitToLoad = true)
    {
        string policyText = p.GetValue(WaitPolicy)!.Trim().ToLowerInvariant();
        OpenMpWaitPolicy? policy = policyText switch
        {
            "auto" => null,
            "default" => OpenMpWaitPolicy.Default,
            "active" => OpenMpWaitPolicy.Active,
            "passive" => OpenMpWaitPolicy.Passive,
            string other => throw new ArgumentException($"--wait-policy '{other}' is not known; use auto, default, active or passive."),
        };
        long? spin = p.GetValue(SpinCount);
        if (spin < 0) throw new ArgumentException($"--spin-count must be 0 or more, not {spin}.");
        int threads = p.GetValue(Threads);
        if (threads < 0) throw new ArgumentException($"--threads must be positive (or 0 for the default), not {threads}.");
        ThreadChoice choice = Choose(p, policy, spin, threads, fitToLoad);
        TorchThreads.SetOpenMpWaitPolicy(choice.Policy, spin);
        OneDnnIsaCap.ApplyWhereKnownFaulty(); // like the wait policy, before the first TorchSharp call
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


        return new Values(device, choice.Threads, p.GetValue(Quiet), p.GetValue(Json), choice.Reason);
    }

    /// <summary>
    /// What the user gave (an option, else the OpenMP environment variable) and, when the user left the wait policy open,
    /// the policy that fits the load. A policy from the environment is left in place (the returned policy is then Default:
    /// nothing to set).
    /// </summary>
    private static ThreadChoice Choose(ParseResult p, OpenMpWaitPolicy? policy, long? spin, int threads, bool fitToLoad)
    {
        (int, string)? userThreads = p.GetResult(Threads) is { Implicit: false } ? (threads, "--threads")
            : Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is { Length: > 0 } n ? (0, "OMP_NUM_THREADS=" + n) : null;
        (OpenMpWaitPolicy, string)? userPolicy = policy is OpenMpWaitPolicy given ? (given, "--wait-policy")
            : spin is not null ? (OpenMpWaitPolicy.Default, $"--spin-count {spin}")
            : Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } w ? (OpenMpWaitPolicy.Default, "OMP_WAIT_POLICY=" + w)
            : Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { Length: > 0 } c ? (OpenMpWaitPolicy.Default, "GOMP_SPINCOUNT=" + c)
            : null;
        if (!fitToLoad) return new ThreadChoice(userPolicy?.Item1 ?? OpenMpWaitPolicy.Default, userThreads?.Item1 ?? 0, "CPU threads: as given.");
        MachineLoad? load = userPolicy is not null ? null : MachineLoad.Observe(TimeSpan.FromMilliseconds(200));
        return ThreadChoice.Choose(load, userThreads, userPolicy);
    }

    /// <summary>The checked common options.</summary>
    /// <param name="Device">The --device value.</param>
    /// <param name="Threads">Intra-op threads to set (0: TorchSharp's choice).</param>
    /// <param name="Quiet">--quiet.</param>
    /// <param name="Json">--json.</param>
    /// <param name="ThreadNote">What was chosen for the CPU threads and why, one line.</param>
    public sealed record Values(string Device, int Threads, bool Quiet, bool Json, string ThreadNote)
    {
        /// <summary>The torch device.</summary>
        public TorchSharp.torch.Device TorchDevice => new(Device);

        /// <summary>
        /// Applies the thread count (0 keeps TorchSharp's choice) and says in the run's log what was chosen and why, and
        /// whether oneDNN was capped at AVX2 (<see cref="OneDnnIsaCap"/>); on the CPU, when LibTorch's oneDNN convolutions
        /// still compute wrong gradients on this machine (<see cref="TorchConvolutions.CheckGradients"/>), turns them off
        /// for this process (the CLI is an application: the library itself only refuses to train) and says so in the run's log.
        /// </summary>
        public void ApplyRuntime(RunOutput run)
        {
            if (Threads > 0) TorchThreads.SetIntraOpThreads(Threads);
            ILogger log = run.Loggers.CreateLogger("IstaNas.Cli");
            log.LogInformation("{ThreadNote}", ThreadNote);
            if (OneDnnIsaCap.Note is string cap) log.LogInformation("{Note}", cap);
            if (TorchDevice.type == TorchSharp.DeviceType.CPU && !TorchConvolutions.CheckGradients())
            {
                TorchConvolutions.SetOneDnnEnabled(false);
                log.LogWarning("{Note}", "LibTorch's oneDNN convolutions compute wrong gradients on this CPU (a fault of the oneDNN in libtorch 2.10 " +
                    "on some AVX-512 CPUs, e.g. AMD Zen 5); the CLI turned them off for this run, so LibTorch's own convolution kernels run " +
                    "(right, and slower: up to 2.7x per search step; ONEDNN_MAX_CPU_ISA=AVX2 in the environment keeps oneDNN's right AVX2 " +
                    "kernels instead; docs/troubleshooting.md).");
            }
        }
    }
}
