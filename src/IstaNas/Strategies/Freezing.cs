using IstaNas.SearchSpace;
using Microsoft.Extensions.Logging;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage ISTA-NAS' freezing rule with its parameter budget (the paper's one-stage search, section 3.3; the authors'
/// <c>ista_nas_single/trainer.py</c>). After every search epoch the codes of the decisions still searching are recovered;
/// decision <c>i</c> freezes when its code has converged,
/// <code>
///     || z_i^(t) - z_i^(t-1) ||_2 &lt;= epsilon          (epsilon = 1e-3)
/// </code>
/// and from then on its b stops training and its alpha (section 3 of docs/concepts.md) is a constant. A new code whose
/// derived network has at least <c>ParameterBudgetMillions</c> parameters is rejected (the previous codes stay); the
/// freeze flags come from the recovered code before that check, so a decision that converged still freezes, at its
/// previous code. A decision whose recovered code had fewer than s non-zero entries kept its code and has not converged.
/// When the search cap is reached every decision still searching freezes at its current code. Used by the one-stage
/// search of the DARTS cell and of any model with choices.
/// </summary>
internal static class Freezing
{
    /// <summary>Recovers the searching decisions, applies the budget and freezes those that converged (or all, at the cap).</summary>
    /// <param name="space">The compressed space.</param>
    /// <param name="epoch">The epoch just finished (for messages).</param>
    /// <param name="options">Epsilon, the budget and the cap.</param>
    /// <param name="atCap">Whether this is the last search epoch the cap allows.</param>
    /// <param name="derivedMillions">Parameters (millions) of the network the space's current codes derive.</param>
    /// <param name="freeze">Freezes one decision (the space's flag and what the network does at the freeze).</param>
    /// <param name="log">The run's log.</param>
    /// <param name="warn">Logs a warning and keeps it for the result.</param>
    /// <returns>The recovery, decision by decision.</returns>
    public static RecoveryReport Step(
        CompressedSearchSpace space, int epoch, OneStageOptions options, bool atCap, Func<double> derivedMillions,
        Action<NodeRecovery> freeze, ILogger log, Action<string> warn)
    {
        SearchSpaceState before = space.GetState();
        RecoveryReport recovery = space.Recover();
        if (!recovery.AllConverged)
            log.LogWarning("Recovery stopped at its iteration cap before reaching the tolerance for some nodes; raise SparseCoder.MaxIterations.");
        foreach (NodeRecovery kept in recovery.Kept)
            warn($"Epoch {epoch}: the recovered code of {kept.Key} has {kept.NonZeros} non-zero entries, " +
                 $"fewer than s = {space.Decisions.First(d => d.Key == kept.Key).Picks}; the node keeps its previous code and support.");
        if (options.ParameterBudgetMillions is double budget)
        {
            double millions = derivedMillions();
            if (millions >= budget) // the authors reject at param_size >= 3.7
            {
                log.LogInformation("Rejected the new code: its network has {Params:0.###} M parameters, at or above the budget of {Budget} M.", millions, budget);
                space.LoadState(before);
            }
        }

        foreach (NodeRecovery n in recovery.Nodes)
            if (Converged(n, options.Epsilon) || atCap) freeze(n);
        if (atCap && recovery.Nodes.Any(n => !Converged(n, options.Epsilon)))
            warn($"Reached MaxSearchEpochs = {options.MaxSearchEpochs} with nodes still moving; froze them at their current code.");
        return recovery;
    }

    /// <summary>Whether a decision's recovered code moved by at most epsilon (a code kept for being too sparse has not).</summary>
    public static bool Converged(NodeRecovery recovery, double epsilon) => !recovery.KeptPrevious && recovery.Change <= epsilon;
}
