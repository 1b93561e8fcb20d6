using IstaNas.Architecture;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace IstaNas.SearchSpace;

/// <summary>
/// DARTS over the decisions of a model with choices: per decision a logit vector alpha of its K candidates
/// (<c>1e-3 * N(0, 1)</c> from torch's generator, as DARTS initialises), every candidate runs with weight
/// <c>softmax(alpha)_j</c>, and the architecture keeps the s candidates of largest weight. (A choice has no
/// <c>none</c> candidate unless the model gives it one: <c>none</c> is part of the DARTS cell, not of the method.)
/// </summary>
internal sealed class DartsDecisionSpace : IDisposable
{
    private readonly Decision[] _decisions;
    private readonly Parameter[] _alpha;

    /// <summary>Samples alpha with torch's current generator, decision by decision.</summary>
    public DartsDecisionSpace(IReadOnlyList<Decision> decisions, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        _decisions = [.. decisions];
        _alpha = [.. _decisions.Select(d => new Parameter(randn(d.Count, dtype: float32).mul_(1e-3).to(device ?? CPU)))];
    }

    /// <summary>The decisions.</summary>
    public IReadOnlyList<Decision> Decisions => _decisions;

    /// <summary>alpha of every decision, in order: what the architecture optimiser trains.</summary>
    public IReadOnlyList<Parameter> Parameters => _alpha;

    /// <summary>Every candidate of every decision with its softmax weight (differentiable in alpha).</summary>
    public IReadOnlyList<NodeWeights> ArchitectureWeights() =>
        [.. _alpha.Select(a => new NodeWeights([.. Enumerable.Range(0, (int)a.shape[0])], nn.functional.softmax(a, 0)))];

    /// <summary>Per decision key the s candidates of largest softmax weight (ties to the lower index), ascending, with their weights.</summary>
    public IReadOnlyList<(string Key, int[] Picks, double[] Weights)> Picks()
    {
        var result = new List<(string, int[], double[])>(_decisions.Length);
        for (int k = 0; k < _decisions.Length; k++)
        {
            double[] w;
            using (no_grad())
            using (NewDisposeScope())
                w = nn.functional.softmax(_alpha[k].detach().to(float64), 0).cpu().data<double>().ToArray();
            int[] picks = [.. Enumerable.Range(0, w.Length).OrderByDescending(j => w[j]).ThenBy(j => j).Take(_decisions[k].Picks).Order()];
            result.Add((_decisions[k].Key, picks, [.. picks.Select(j => w[j])]));
        }
        return result;
    }

    /// <summary>A copy of every alpha, in decision order.</summary>
    public float[][] GetState()
    {
        using var scope = NewDisposeScope();
        return [.. _alpha.Select(a => a.detach().cpu().data<float>().ToArray())];
    }

    /// <summary>Restores alpha saved by <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The arrays do not fit the decisions or hold a non-finite value.</exception>
    public void LoadState(float[][] alpha)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        if (alpha.Length != _decisions.Length)
            throw new ArgumentException($"A saved DARTS alpha of {alpha.Length} decisions does not fit the model's {_decisions.Length} choices.", nameof(alpha));
        for (int k = 0; k < alpha.Length; k++)
            if (alpha[k] is null || alpha[k].Length != _decisions[k].Count || alpha[k].Any(v => !float.IsFinite(v)))
                throw new ArgumentException($"The saved alpha of choice '{_decisions[k].Key}' must hold {_decisions[k].Count} finite values.", nameof(alpha));
        using var noGrad = no_grad();
        for (int k = 0; k < alpha.Length; k++)
            using (Tensor t = tensor(alpha[k])) _alpha[k].copy_(t);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Parameter a in _alpha) a.Dispose();
    }
}
