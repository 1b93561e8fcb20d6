using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.SearchSpace;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// Architectures drawn uniformly at random from the ISTA-NAS space, with its sparsity: every intermediate node of both
/// cells gets s distinct candidates out of its <c>(i + 2) * K</c> (candidate = predecessor * K + operation), every s-subset
/// equally likely, independently of the other nodes. This is chance under the same space and budget: the baseline a search
/// must beat, and the architecture sample of a consistency study. Draws are seeded with <see cref="DeterministicRandom"/>,
/// so a seed gives the same architectures on every machine and runtime.
/// </summary>
internal static class RandomArchitectures
{
    private const long GenotypeSalt = 0x6A7E;
    private const int DrawsPerWanted = 64;

    /// <summary>The genotype number <paramref name="index"/> of the sequence seeded by <paramref name="seed"/>.</summary>
    /// <param name="space">Nodes, operations and sparsity s of the space; validated.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="index">Position in the seeded sequence (0 for the first).</param>
    /// <returns>A genotype with s pairs per node, in candidate order within a node; both cells concatenate every node.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The space options are invalid.</exception>
    public static Genotype Draw(SearchSpaceOptions space, long seed, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        OptionsValidation.Validate(OptionsCopy.Of(space), nameof(SearchSpaceOptions));
        return Draw(space, DeterministicRandom.FromKeys(seed, GenotypeSalt, index));
    }

    /// <summary>
    /// <paramref name="count"/> distinct genotypes (<see cref="Genotype.Equals(Genotype?)"/>): the seeded sequence of
    /// <see cref="Draw(SearchSpaceOptions, long, int)"/> with repeats left out, in order. Uniform over the space, given
    /// that they differ.
    /// </summary>
    /// <param name="space">Nodes, operations and sparsity s of the space; validated.</param>
    /// <param name="count">How many (at least 1).</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The genotypes, in the order drawn.</returns>
    /// <exception cref="ArgumentException">The space holds fewer than <paramref name="count"/> genotypes (the message says how many it has).</exception>
    public static IReadOnlyList<Genotype> DrawDistinct(SearchSpaceOptions space, int count, long seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        OptionsValidation.Validate(OptionsCopy.Of(space), nameof(SearchSpaceOptions));
        double size = SpaceSize(space);
        if (size < count)
            throw new ArgumentException(
                $"The space ({space.Nodes} nodes, {space.Operations.Count} operations, s = {space.Sparsity}) holds {size:0} distinct genotypes, fewer than the {count} asked for.",
                nameof(count));
        var seen = new HashSet<Genotype>();
        var result = new List<Genotype>(count);
        for (int index = 0; result.Count < count; index++)
        {
            if (index >= (long)count * DrawsPerWanted + 1000)
                throw new ArgumentException(
                    $"Drew {index} genotypes and found only {result.Count} distinct ones of the {count} asked for; the space is too small for that many.", nameof(count));
            Genotype g = Draw(space, DeterministicRandom.FromKeys(seed, GenotypeSalt, index));
            if (seen.Add(g)) result.Add(g);
        }

        return result;
    }

    /// <summary>
    /// A uniform s-subset of <c>[0, candidates)</c>, ascending: every subset of size <paramref name="sparsity"/> has the
    /// same probability (a partial Fisher-Yates shuffle).
    /// </summary>
    /// <param name="candidates">Candidates of the node.</param>
    /// <param name="sparsity">How many to keep, in [1, <paramref name="candidates"/>].</param>
    /// <param name="random">The generator (advanced by <paramref name="sparsity"/> draws).</param>
    /// <returns>The chosen candidates, ascending.</returns>
    internal static int[] Support(int candidates, int sparsity, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sparsity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sparsity, candidates);
        int[] all = new int[candidates];
        for (int c = 0; c < candidates; c++) all[c] = c;
        for (int k = 0; k < sparsity; k++)
        {
            int j = random.NextInt(k, candidates);
            (all[k], all[j]) = (all[j], all[k]);
        }

        int[] chosen = all[..sparsity];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>The number of genotypes of the space: the product over both cells' nodes of C((i + 2) K, s).</summary>
    /// <param name="space">The space.</param>
    /// <returns>The count (as a double: it overflows a long for the default space).</returns>
    public static double SpaceSize(SearchSpaceOptions space)
    {
        ArgumentNullException.ThrowIfNull(space);
        double size = 1;
        for (int i = 0; i < space.Nodes; i++)
        {
            double choose = Binomial(space.CandidateCount(i), space.Sparsity);
            size *= choose * choose;
        }

        return size;
    }

    private static double Binomial(int n, int k)
    {
        if (k < 0 || k > n) return 0;
        double r = 1;
        for (int j = 1; j <= k; j++) r = r * (n - k + j) / j;
        return Math.Round(r);
    }

    private static Genotype Draw(SearchSpaceOptions space, DeterministicRandom random)
    {
        int k = space.Operations.Count;
        List<GenotypeEdge> Cell()
        {
            var edges = new List<GenotypeEdge>(space.Nodes * space.Sparsity);
            for (int i = 0; i < space.Nodes; i++)
                foreach (int c in Support(space.CandidateCount(i), space.Sparsity, random))
                    edges.Add(new GenotypeEdge(space.Operations[c % k], c / k));
            return edges;
        }

        List<GenotypeEdge> normal = Cell();
        return new Genotype(normal, Cell(), edgesPerNode: space.Sparsity);
    }
}
