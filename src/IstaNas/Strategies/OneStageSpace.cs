using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// What a one-stage search (<see cref="OneStageRun"/>) needs of its space: the compressed space and the super-net, how the
/// BNs of a decision's candidates are held or released, the forward pass of a step, the parameters of the network the
/// current codes derive, and the exported network. <see cref="OneStageCellSpace"/> is the DARTS cell,
/// <see cref="OneStageChoiceSpace"/> a model with choices; the epoch loop, the freezing and budget, the checkpoint state
/// and the training phase are the run's, written once.
/// </summary>
internal abstract class OneStageSpace : IDisposable
{
    /// <summary>The compressed space: one decision per node of each cell type, or per choice of the model.</summary>
    public abstract CompressedSearchSpace Space { get; }

    /// <summary>The super-net the codes' alpha weights.</summary>
    public abstract ISuperNet Net { get; }

    /// <summary>The decisions the checkpoint fingerprint names (a model's choices); null for the DARTS cell space.</summary>
    public virtual IReadOnlyList<Decision>? FingerprintDecisions => null;

    /// <summary>The genotype of the current codes for the epoch's report and the result (the DARTS cell space), or null.</summary>
    public virtual Genotype? Genotype => null;

    /// <summary>Holds the BNs inside the given candidates of decision <paramref name="decision"/> at gamma = 1, beta = 0, or lets them train.</summary>
    public abstract void SetTrainable(int decision, IEnumerable<int> candidates, bool trainable);

    /// <summary>Logs what the search runs on, once the run is built.</summary>
    public abstract void LogStart(ILogger log, SearchContext context, OneStageOptions o, int stepsPerEpoch);

    /// <summary>Sets the drop-path probability of a training epoch and returns the one in use (0 where the network has none).</summary>
    public abstract double SetDropPath(double probability);

    /// <summary>The forward pass of a step: logits, loss and the objective backward runs on (the loss, plus the auxiliary head's).</summary>
    public abstract (Tensor Logits, Tensor Loss, Tensor Objective) Forward(Batch batch, double auxiliaryWeight);

    /// <summary>Logs the frozen decisions and the current architecture after an epoch.</summary>
    public abstract void LogFrozen(ILogger log, int frozen);

    /// <summary>What a decision's freeze logs beyond the report (nothing on the DARTS cell).</summary>
    public virtual void LogFreeze(ILogger log, int decision)
    {
    }

    /// <summary>Parameters (millions) of the network the current codes derive, for the budget.</summary>
    public abstract double DerivedParameterMillions();

    /// <summary>
    /// Completes the result of a search whose decisions are all frozen: the exported network (alpha absorbed), its
    /// architecture and metadata, and its largest output difference to the super-net on <paramref name="probe"/>.
    /// </summary>
    public abstract SearchResult Export(SearchResult result, Func<Batch> probe, SearchContext context, ILogger log);

    /// <summary>Disposes the super-net, then the space.</summary>
    public void Dispose()
    {
        Net.Module.Dispose();
        Space.Dispose();
    }
}
