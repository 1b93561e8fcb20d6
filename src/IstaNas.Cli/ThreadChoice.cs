using System.Globalization;
using IstaNas.Runtime;

namespace IstaNas.Cli;

/// <summary>
/// The CPU settings a training command runs with, and why (one line for the log). On an idle machine OpenMP's default
/// (threads that spin while they wait) is fastest; when other processes keep the cores busy, a spinning thread that
/// loses its core stalls the others and a step gets many times slower (docs/benchmarks.md, "Threads and OpenMP"), so the
/// CLI then makes the waiting threads sleep (passive). The thread count is never changed by the load: results depend
/// on it (the order of the sums), and a run, its resume and its rerun must not differ because the machine was busier.
/// A setting the user gave (an option or the OpenMP environment variable) is never changed.
/// </summary>
/// <param name="Policy">The wait policy to set; <see cref="OpenMpWaitPolicy.Default"/> leaves the environment as it is.</param>
/// <param name="Threads">Intra-op threads to set; 0 keeps TorchSharp's choice (one per core, or OMP_NUM_THREADS).</param>
/// <param name="Reason">What was chosen and why, in one line.</param>
internal sealed record ThreadChoice(OpenMpWaitPolicy Policy, int Threads, string Reason)
{
    /// <summary>Other processes using at least this many cores' worth make the machine busy.</summary>
    public const double BusyDemand = 0.5;

    /// <summary>Chooses the settings. Pure: the same inputs give the same answer.</summary>
    /// <param name="load">The observed load, or null when it was not or could not be observed (then OpenMP's default policy stays).</param>
    /// <param name="threads">The user's thread count (0: TorchSharp's choice) and where it came from ("--threads", "OMP_NUM_THREADS=2"), or null.</param>
    /// <param name="policy">
    /// The user's wait policy and where it came from: "--wait-policy", or (with <see cref="OpenMpWaitPolicy.Default"/>: nothing
    /// to set) another option or environment variable such as "--spin-count" or "OMP_WAIT_POLICY=PASSIVE"; or null.
    /// </param>
    public static ThreadChoice Choose(MachineLoad? load, (int Count, string Source)? threads, (OpenMpWaitPolicy Policy, string Source)? policy)
    {
        int count = threads?.Count ?? 0;
        string threadText = threads is { } t
            ? $"{(t.Count > 0 ? Plural(t.Count) : "TorchSharp's thread count")} ({t.Source})"
            : "TorchSharp's thread count (one per core; --threads changes it)";
        if (policy is { } given)
        {
            string policyText = given.Source == "--wait-policy" ? $"wait policy {Name(given.Policy)} (--wait-policy)" : given.Source;
            return new ThreadChoice(given.Policy, count, $"CPU threads: as given: {policyText}; {threadText}.");
        }

        if (load is null)
            return new ThreadChoice(OpenMpWaitPolicy.Default, count, $"CPU threads: the machine's load is unknown: OpenMP's default wait policy; {threadText}.");
        string seen = string.Create(CultureInfo.InvariantCulture,
            $"other processes use {load.OthersBusy:0.0} of {load.Cores} cores{(load.OthersRunnable is double r ? $", {r:0.0} other threads runnable" : "")}");
        return load.Demand < BusyDemand
            ? new ThreadChoice(OpenMpWaitPolicy.Default, count, $"CPU threads: the machine is idle ({seen}): OpenMP's default wait policy (spin); {threadText}.")
            : new ThreadChoice(OpenMpWaitPolicy.Passive, count,
                $"CPU threads: the machine is busy ({seen}): wait policy passive (waiting threads sleep, not spin; --wait-policy changes it); {threadText}.");
    }

    private static string Plural(int n) => n == 1 ? "1 thread" : $"{n} threads";

    private static string Name(OpenMpWaitPolicy policy) => policy switch
    {
        OpenMpWaitPolicy.Active => "active",
        OpenMpWaitPolicy.Passive => "passive",
        _ => "default",
    };
}
