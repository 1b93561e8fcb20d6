using System.Globalization;
using IstaNas.Runtime;

namespace IstaNas.Sample;

/// <summary>
/// The CPU settings a training command runs with, and why (one line for the log). On an idle machine OpenMP's default
/// (spinning threads, one per core) is fastest; when other processes keep the cores busy, spinning threads that lose
/// their core stall the others and a step gets many times slower (docs/benchmarks.md, "Threads and OpenMP"), so the
/// sample then sleeps instead of spinning (passive) and uses only the cores the others leave. A setting the user gave
/// (an option or the OpenMP environment variable) is never changed.
/// </summary>
/// <param name="Policy">The wait policy to set; <see cref="OpenMpWaitPolicy.Default"/> leaves the environment as it is.</param>
/// <param name="Threads">Intra-op threads to set; 0 keeps TorchSharp's choice (one per core, or OMP_NUM_THREADS).</param>
/// <param name="Reason">What was chosen and why, in one line.</param>
internal sealed record ThreadChoice(OpenMpWaitPolicy Policy, int Threads, string Reason)
{
    /// <summary>Other processes using at least this many cores' worth make the machine busy.</summary>
    public const double BusyDemand = 0.5;

    /// <summary>Chooses the settings. Pure: the same inputs give the same answer.</summary>
    /// <param name="load">The observed load, or null when it could not be observed (then OpenMP's defaults stay).</param>
    /// <param name="threads">The user's thread count and where it came from (such as "--threads" or "OMP_NUM_THREADS"), or null.</param>
    /// <param name="policy">
    /// The user's wait policy and where it came from: "--wait-policy", or (with <see cref="OpenMpWaitPolicy.Default"/>: nothing
    /// to set) another option or environment variable such as "--spin-count" or "OMP_WAIT_POLICY=PASSIVE"; or null.
    /// </param>
    public static ThreadChoice Choose(MachineLoad? load, (int Count, string Source)? threads, (OpenMpWaitPolicy Policy, string Source)? policy)
    {
        string given = string.Join(", ", new[]
        {
            threads is { } t ? $"{(t.Count > 0 ? Plural(t.Count) : "TorchSharp's thread count")} ({t.Source})" : null,
            policy is { } w ? w.Source == "--wait-policy" ? $"wait policy {Name(w.Policy)} (--wait-policy)" : w.Source : null,
        }.OfType<string>());
        if (threads is not null && policy is not null)
            return new ThreadChoice(policy.Value.Policy, threads.Value.Count, $"CPU threads: as given: {given}.");
        if (load is null)
        {
            return new ThreadChoice(policy?.Policy ?? OpenMpWaitPolicy.Default, threads?.Count ?? 0,
                $"CPU threads: the machine's load is unknown, so OpenMP's defaults{(given.Length > 0 ? "; as given: " + given : "")}.");
        }

        string seen = string.Create(CultureInfo.InvariantCulture,
            $"other processes use {load.OthersBusy:0.0} of {load.Cores} cores{(load.OthersRunnable is double r ? $", {r:0.0} other threads runnable" : "")}");
        if (load.Demand < BusyDemand)
        {
            return new ThreadChoice(policy?.Policy ?? OpenMpWaitPolicy.Default, threads?.Count ?? 0,
                $"CPU threads: the machine is idle ({seen}): OpenMP's default wait policy and one thread per core{(given.Length > 0 ? "; as given: " + given : "")}.");
        }

        int free = (int)Math.Clamp(Math.Floor(load.Cores - load.Demand + 0.5), 1, Math.Max(1, load.Cores));
        var chosen = new List<string>();
        OpenMpWaitPolicy finalPolicy = policy?.Policy ?? OpenMpWaitPolicy.Passive;
        if (policy is null) chosen.Add("wait policy passive (sleep, not spin)");
        int finalThreads = threads?.Count ?? (free < load.Cores ? free : 0);
        if (threads is null) chosen.Add(free < load.Cores ? $"{Plural(free)} instead of {load.Cores}" : "one thread per core");
        return new ThreadChoice(finalPolicy, finalThreads,
            $"CPU threads: the machine is busy ({seen}): {string.Join(", ", chosen)}{(given.Length > 0 ? "; as given: " + given : "")}; " +
            "--threads and --wait-policy choose.");
    }

    private static string Plural(int n) => n == 1 ? "1 thread" : $"{n} threads";

    private static string Name(OpenMpWaitPolicy policy) => policy switch
    {
        OpenMpWaitPolicy.Active => "active",
        OpenMpWaitPolicy.Passive => "passive",
        _ => "default",
    };
}
