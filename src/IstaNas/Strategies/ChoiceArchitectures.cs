using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Data;
using IstaNas.SearchSpace;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// Architectures of a model with choices: drawn uniformly at random (every choice gets s distinct candidates of its K,
/// every s-subset equally likely, independently of the other choices, <see cref="RandomArchitectures.Support"/>; seeded
/// with <see cref="DeterministicRandom"/> so that a seed gives the same architectures everywhere), read from a compressed
/// space's codes, or converted from a DARTS cell genotype.
/// </summary>
internal static class ChoiceArchitectures
{
    private const long Salt = 0x6A7E;

    /// <summary>Architecture number <paramref name="index"/> of the sequence seeded by <paramref name="seed"/>.</summary>
    public static ChoiceArchitecture Draw(IReadOnlyList<Decision> decisions, long seed, int index = 0)
    {
        var random = DeterministicRandom.FromKeys(seed, Salt, index);
        return new ChoiceArchitecture(decisions.Select(d => new ArchitectureChoice(d.Key, RandomArchitectures.Support(d.Count, d.Picks, random))));
    }

    /// <summary>The number of architectures: the product over the choices of C(K, s).</summary>
    public static double SpaceSize(IReadOnlyList<Decision> decisions) =>
        decisions.Aggregate(1.0, (size, d) => size * Binomial(d.Count, d.Picks));

    /// <summary><paramref name="count"/> distinct architectures: the seeded sequence with repeats left out, in order.</summary>
    /// <exception cref="ArgumentException">The space holds fewer than <paramref name="count"/> architectures.</exception>
    public static IReadOnlyList<ChoiceArchitecture> DrawDistinct(IReadOnlyList<Decision> decisions, int count, long seed)
    {
        double size = SpaceSize(decisions);
        if (size < count)
            throw new ArgumentException($"The model's choices hold {size:0} distinct architectures, fewer than the {count} candidates asked for (Random.Candidates).", nameof(count));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ChoiceArchitecture>(count);
        for (int index = 0; result.Count < count; index++)
        {
            ChoiceArchitecture a = Draw(decisions, seed, index);
            if (seen.Add(string.Join(";", a.Choices.Select(c => string.Join(",", c.Picks))))) result.Add(a);
        }
        return result;
    }

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (int j = 1; j <= k; j++) r = r * (n - k + j) / j;
        return Math.Round(r);
    }

    /// <summary>The architecture of a compressed space: per decision its top-s |z|, ascending, scored by |z|.</summary>
    public static ChoiceArchitecture OfSpace(ICompressedSearchSpace space)
    {
        IReadOnlyDictionary<string, double[]> z = space.ZMagnitudes();
        return new ChoiceArchitecture(space.Picks().Select(p => new ArchitectureChoice(p.Key, p.Value, [.. p.Value.Select(j => z[p.Key][j])])), "|z|");
    }

    /// <summary>
    /// A DARTS cell genotype as an architecture of the cell space's decisions ("normal/0" .. "reduce/N-1"): per node the
    /// candidates <c>predecessor * K + operation</c> of its edges (K = <paramref name="operations"/>, as the two-stage cell
    /// space numbers them), ascending, without scores.
    /// </summary>
    public static ChoiceArchitecture OfGenotype(Genotype genotype, IReadOnlyList<string> operations)
    {
        List<string> ops = [.. operations];
        var choices = new List<ArchitectureChoice>();
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
            for (int i = 0; i < genotype.Nodes; i++)
                choices.Add(new ArchitectureChoice(NodeKeys.Of(cell, i),
                    [.. genotype.NodeEdges(cell, i).Select(e => CandidateIndex.Of(e.Input, ops.IndexOf(e.Operation), ops.Count)).Order()]));
        return new ChoiceArchitecture(choices);
    }
}
