using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// What one-stage ISTA-NAS does with each candidate of a model's choices. A candidate whose output is the output of an
/// affine BN (a BatchNorm1d/2d/3d itself, a <c>Sequential</c> whose last module is one, recursively, or a module that says
/// so) has its alpha absorbed into that BN at the end: <c>alpha * (gamma * x_hat + beta) = (alpha * gamma) * x_hat + alpha * beta</c>.
/// Every BN inside such a candidate keeps its affine at gamma = 1, beta = 0 while its decision searches and trains once it
/// froze, as the authors' one-stage cell does. Any other candidate (an identity, a pool, a block with a shortcut after its
/// last BN, a BN without affine) keeps alpha as a constant scale after the freeze, in the fixed model too.
/// </summary>
internal sealed class OneStageCandidates
{
    private readonly IReadOnlyList<Decision> _decisions;
    private readonly Choice[][] _choices;
    private readonly bool[][] _absorbs;

    /// <summary>Classifies the candidates of <paramref name="choices"/> (every choice of the model, a shared decision's several times).</summary>
    public OneStageCandidates(IReadOnlyList<Decision> decisions, IEnumerable<Choice> choices)
    {
        _decisions = decisions;
        _choices = Group(decisions, choices);
        _absorbs = [.. _choices.Select(group => Enumerable.Range(0, group[0].Count).Select(j => group.All(c => FinalBatchNorm(c.Candidate(j)) is not null)).ToArray())];
    }

    /// <summary>Whether candidate <paramref name="candidate"/> of decision <paramref name="decision"/> ends in an affine BN (alpha absorbed).</summary>
    public bool Absorbs(int decision, int candidate) => _absorbs[decision][candidate];

    /// <summary>One line per decision: which candidates absorb alpha into their final BN and which keep it as a scale.</summary>
    public IEnumerable<string> Describe()
    {
        for (int k = 0; k < _decisions.Count; k++)
        {
            Choice c = _choices[k][0];
            string[] absorbed = [.. Enumerable.Range(0, c.Count).Where(j => _absorbs[k][j]).Select(j => c.Labels[j])];
            string[] scaled = [.. Enumerable.Range(0, c.Count).Where(j => !_absorbs[k][j]).Select(j => c.Labels[j])];
            yield return $"choice '{_decisions[k].Key}': " +
                         (absorbed.Length > 0 ? $"alpha absorbed into the final BN of {string.Join(", ", absorbed)}" : "no candidate ends in an affine BN") +
                         (scaled.Length > 0 ? $"; alpha kept as a constant scale after the freeze on {string.Join(", ", scaled)}" : "; every candidate absorbs alpha");
        }
    }

    /// <summary>
    /// Makes the BNs inside the absorbing candidates of a decision trainable (its freeze, for the candidates of its
    /// support) or fixes them at gamma = 1, beta = 0 (while it searches).
    /// </summary>
    public void SetTrainable(int decision, IEnumerable<int> candidates, bool trainable)
    {
        using var noGrad = no_grad();
        foreach (int j in candidates)
        {
            if (!_absorbs[decision][j]) continue;
            foreach (Choice choice in _choices[decision])
            {
                foreach (BatchNorm bn in choice.Candidate(j).modules().OfType<BatchNorm>())
                    SuperNet.SetBatchNormTrainable(bn, trainable);
            }
        }
    }

    /// <summary>
    /// Fixes every choice of <paramref name="model"/> (a copy of the searched model, built by the same factory) to the
    /// support of its decision: alpha absorbed into the final BN of the candidates that end in one, kept as a constant
    /// scale on the others (<see cref="Choice.FixedScales"/>; none when every pick absorbed it).
    /// </summary>
    /// <param name="model">The copy.</param>
    /// <param name="weights">The frozen alpha of every decision, in decision order.</param>
    public void AbsorbAndFix(nn.Module model, IReadOnlyList<NodeWeights> weights)
    {
        Choice[][] copies = Group(_decisions, ChoiceModel.Find(model).Select(c => c.Choice));
        using var noGrad = no_grad();
        for (int k = 0; k < _decisions.Count; k++)
        {
            int[] support = weights[k].Candidates;
            float[] alpha = weights[k].Weights.detach().cpu().to(float32).data<float>().ToArray();
            int[] picks = [.. support.Order()];
            float[] scales = [.. picks.Select(j => _absorbs[k][j] ? 1f : alpha[Array.IndexOf(support, j)])];
            foreach (Choice choice in copies[k])
            {
                for (int i = 0; i < support.Length; i++)
                {
                    if (!_absorbs[k][support[i]]) continue;
                    BatchNorm bn = FinalBatchNorm(choice.Candidate(support[i]))!;
                    bn.weight!.mul_(alpha[i]);
                    bn.bias!.mul_(alpha[i]);
                }
                choice.FixScaled(picks, scales.All(s => s == 1f) ? null : scales);
            }
        }
    }

    /// <summary>The affine BN whose output is <paramref name="module"/>'s output, or null.</summary>
    public static BatchNorm? FinalBatchNorm(nn.Module module) => module switch
    {
        BatchNorm { weight: not null, bias: not null } bn => bn,
        IEndsInBatchNorm own => own.FinalBatchNorm is { weight: not null, bias: not null } bn ? bn : null,
        Sequential sequential => sequential.children().LastOrDefault() is nn.Module last ? FinalBatchNorm(last) : null,
        _ => null,
    };

    private static Choice[][] Group(IReadOnlyList<Decision> decisions, IEnumerable<Choice> choices)
    {
        ILookup<string, Choice> byName = choices.ToLookup(c => c.Name, StringComparer.Ordinal);
        return [.. decisions.Select(d => byName[d.Key].ToArray())];
    }
}
