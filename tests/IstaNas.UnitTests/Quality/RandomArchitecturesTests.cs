using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using MathNet.Numerics.Distributions;

namespace IstaNas.Tests.Quality;

/// <summary>The random baseline's draws: valid genotypes of the space's sparsity, seeded, and uniform.</summary>
public class RandomArchitecturesTests
{
    /// <summary>
    /// Significance level of the uniformity tests: a correct sampler fails one of the 16 node tests by chance with
    /// probability below 16 * 1e-6 (and the draws are seeded, so the outcome is fixed anyway); the biased sampler below,
    /// 20 % more mass on one operation, exceeds the critical value many times over at this draw count.
    /// </summary>
    private const double Alpha = 1e-6;

    private const int Draws = 20_000;

    private static int Candidate(GenotypeEdge e, IList<string> operations) => (e.Input * operations.Count) + operations.IndexOf(e.Operation);

    [Theory]
    [InlineData(4, 2)]
    [InlineData(3, 3)]
    [InlineData(2, 1)]
    public void DrawsAreValidGenotypesWithSDistinctCandidatesPerNode(int nodes, int sparsity)
    {
        var space = new SearchSpaceOptions { Nodes = nodes, Sparsity = sparsity, ProjectionDims = Math.Max(7, sparsity) };
        for (int index = 0; index < 50; index++)
        {
            Genotype g = RandomArchitectures.Draw(space, seed: 3, index);
            Assert.Equal(nodes, g.Nodes);
            Assert.Equal(sparsity, g.EdgesPerNode);
            foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
                for (int node = 0; node < nodes; node++)
                {
                    int[] candidates = [.. g.NodeEdges(cell, node).Select(e => Candidate(e, space.Operations))];
                    Assert.Equal(sparsity, candidates.Distinct().Count());
                    Assert.All(candidates, c => Assert.InRange(c, 0, space.CandidateCount(node) - 1));
                    Assert.Equal(candidates.Order(), candidates); // candidate order within a node
                }
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameGenotypeAndOtherSeedsOthers()
    {
        var space = new SearchSpaceOptions();
        Assert.Equal(RandomArchitectures.Draw(space, 11).ToJson(), RandomArchitectures.Draw(space, 11).ToJson());
        Genotype[] bySeed = [.. Enumerable.Range(0, 10).Select(s => RandomArchitectures.Draw(space, s))];
        Assert.Equal(10, bySeed.Distinct().Count());
        Assert.NotEqual(RandomArchitectures.Draw(space, 11, index: 0), RandomArchitectures.Draw(space, 11, index: 1));
        // A fixed expectation, so that a change of the generator (and of every seeded baseline) does not go unnoticed.
        Assert.Equal(
            Genotype.ParseDarts(
                "Genotype(normal=[('dil_conv_3x3', 0), ('max_pool_3x3', 1), ('dil_conv_5x5', 0), ('sep_conv_3x3', 2), ('sep_conv_3x3', 0), ('dil_conv_3x3', 3), " +
                "('sep_conv_3x3', 1), ('max_pool_3x3', 2)], normal_concat=range(2, 6), reduce=[('skip_connect', 1), ('dil_conv_3x3', 1), ('dil_conv_3x3', 0), " +
                "('dil_conv_5x5', 1), ('dil_conv_3x3', 0), ('sep_conv_3x3', 2), ('dil_conv_3x3', 1), ('dil_conv_5x5', 2)], reduce_concat=range(2, 6))"),
            RandomArchitectures.Draw(space, 11));
    }

    [Fact]
    public void DistinctDrawsAreDistinctAndRefuseMoreThanTheSpaceHolds()
    {
        var space = new SearchSpaceOptions();
        IReadOnlyList<Genotype> drawn = RandomArchitectures.DrawDistinct(space, 30, seed: 1);
        Assert.Equal(30, drawn.Distinct().Count());
        Assert.Equal(drawn, RandomArchitectures.DrawDistinct(space, 30, seed: 1));
        Assert.Equal(RandomArchitectures.Draw(space, 1), drawn[0]);

        var tiny = new SearchSpaceOptions { Nodes = 1, Operations = ["max_pool_3x3"], Sparsity = 2, ProjectionDims = 2 };
        Assert.Equal(1, RandomArchitectures.SpaceSize(tiny)); // 2 candidates, both kept, in both cells
        Assert.Single(RandomArchitectures.DrawDistinct(tiny, 1, seed: 0));
        var ex = Assert.Throws<ArgumentException>(() => RandomArchitectures.DrawDistinct(tiny, 2, seed: 0));
        Assert.Contains("holds 1 distinct genotypes", ex.Message);
    }

    [Fact]
    public void CandidateFrequenciesPerNodePassAChiSquareTestOfUniformity()
    {
        var space = new SearchSpaceOptions();
        var counts = new Dictionary<(CellType, int), int[]>();
        for (int index = 0; index < Draws; index++)
        {
            Genotype g = RandomArchitectures.Draw(space, seed: 2024, index);
            foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
                for (int node = 0; node < space.Nodes; node++)
                {
                    int[] c = counts.TryGetValue((cell, node), out int[]? existing) ? existing : counts[(cell, node)] = new int[space.CandidateCount(node)];
                    foreach (GenotypeEdge e in g.NodeEdges(cell, node)) c[Candidate(e, space.Operations)]++;
                }
        }

        foreach (var ((cell, node), c) in counts)
        {
            (double statistic, double critical) = ChiSquare(c, space.Sparsity);
            Assert.True(statistic < critical, $"{cell} node {node}: chi-square {statistic:0.0} >= {critical:0.0} (df {c.Length - 1}); counts {string.Join(" ", c)}");
        }

        // Subsets, not only candidates: node 0 has C(14, 2) = 91 equally likely pairs.
        var pairs = new int[14 * 14];
        var random = DeterministicRandom.FromKeys(99);
        for (int k = 0; k < Draws; k++)
        {
            int[] s = RandomArchitectures.Support(14, 2, random);
            pairs[(s[0] * 14) + s[1]]++;
        }

        int[] used = [.. Enumerable.Range(0, 14 * 14).Where(p => p / 14 < p % 14).Select(p => pairs[p])];
        Assert.Equal(91, used.Length);
        Assert.Equal(Draws, used.Sum());
        (double pairStatistic, double pairCritical) = ChiSquare(used, 1);
        Assert.True(pairStatistic < pairCritical, $"pairs: chi-square {pairStatistic:0.0} >= {pairCritical:0.0}");
    }

    [Fact]
    public void TheChiSquareTestRejectsABiasedSampler()
    {
        // Node 3 of the default space (35 candidates): one operation (skip_connect) drawn with 20 % more weight.
        int k = Operations.Default.Count, n = 5 * k, skip = Operations.Default.ToList().IndexOf(Operations.SkipConnect);
        double[] weights = [.. Enumerable.Range(0, n).Select(c => c % k == skip ? 1.2 : 1.0)];
        var random = DeterministicRandom.FromKeys(7);
        var counts = new int[n];
        for (int d = 0; d < Draws; d++)
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < 2)
            {
                double u = random.NextDouble() * weights.Where((_, c) => !chosen.Contains(c)).Sum();
                int pick = 0;
                for (double acc = 0; pick < n; pick++)
                {
                    if (chosen.Contains(pick)) continue;
                    acc += weights[pick];
                    if (u < acc) break;
                }

                chosen.Add(Math.Min(pick, n - 1));
            }

            foreach (int c in chosen) counts[c]++;
        }

        (double statistic, double critical) = ChiSquare(counts, 2);
        Assert.True(statistic > critical, $"the biased sampler passed: {statistic:0.0} < {critical:0.0}");

        // The same test on the library's sampler for that node passes.
        var fair = new int[n];
        var r = DeterministicRandom.FromKeys(7);
        for (int d = 0; d < Draws; d++)
            foreach (int c in RandomArchitectures.Support(n, 2, r)) fair[c]++;
        (double fairStatistic, double fairCritical) = ChiSquare(fair, 2);
        Assert.True(fairStatistic < fairCritical);
    }

    /// <summary>
    /// Pearson's statistic of candidate counts against the uniform expectation (every draw keeps
    /// <paramref name="perDraw"/> of them), and the critical value of chi-square with (categories - 1) degrees of freedom at
    /// <see cref="Alpha"/>. For s &gt; 1 the counts of one draw are negatively correlated, which makes the statistic's mean
    /// n - s instead of n - 1: the test is then slightly conservative.
    /// </summary>
    private static (double Statistic, double Critical) ChiSquare(int[] counts, int perDraw)
    {
        double expected = (double)counts.Sum() / counts.Length;
        Assert.Equal(Draws * perDraw, counts.Sum());
        double statistic = counts.Sum(c => (c - expected) * (c - expected) / expected);
        return (statistic, ChiSquared.InvCDF(counts.Length - 1, 1 - Alpha));
    }
}
