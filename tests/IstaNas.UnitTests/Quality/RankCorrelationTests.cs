using IstaNas.Quality;

namespace IstaNas.Tests.Quality;

/// <summary>Kendall's tau-b and Spearman's rho, against hand-checked and published (SciPy documentation) values, ties included.</summary>
public class RankCorrelationTests
{
    [Fact]
    public void KendallTauBMatchesKnownExamples()
    {
        // No ties: 5 concordant, 1 discordant pair of 6.
        Assert.Equal(4.0 / 6.0, RankCorrelation.KendallTauB([1, 2, 3, 4], [1, 3, 2, 4]), 12);
        // scipy.stats.kendalltau's documented example, with ties in both samples: -0.47140452079103173.
        Assert.Equal(-0.47140452079103173, RankCorrelation.KendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), 12);
        // By hand: x ties once (pair 1-2), y never. P = 4 (01, 03, 13, 23), Q = 1 (02): tau-b = 3 / sqrt(5 * 6).
        Assert.Equal(3 / Math.Sqrt(30), RankCorrelation.KendallTauB([1, 2, 2, 3], [1, 2, 0, 4]), 12);
    }

    [Fact]
    public void SpearmanRhoMatchesKnownExamples()
    {
        Assert.Equal(0.8, RankCorrelation.Spearman([1, 2, 3, 4], [1, 3, 2, 4]), 12); // 1 - 6 * 2 / (4 * 15)
        // scipy.stats.spearmanr's documented example, a tie in y: 0.8207826816681233.
        Assert.Equal(0.8207826816681233, RankCorrelation.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);
        Assert.Equal(-0.5407380704358752, RankCorrelation.Spearman([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), 12);
        Assert.Equal([1.5, 1.5, 3, 5, 5, 5], RankCorrelation.AverageRanks([2, 2, 3, 7, 7, 7]));
    }

    [Fact]
    public void IdenticalOrdersGiveOneAndReversedOrdersMinusOne()
    {
        double[] x = [0.31, 0.40, 0.40, 0.52, 0.18];
        Assert.Equal(1, RankCorrelation.KendallTauB(x, x), 12);
        Assert.Equal(1, RankCorrelation.Spearman(x, x), 12);
        double[] monotone = [.. x.Select(v => (3 * v) + 1)];
        Assert.Equal(1, RankCorrelation.KendallTauB(x, monotone), 12);
        double[] reversed = [.. x.Select(v => -v)];
        Assert.Equal(-1, RankCorrelation.KendallTauB(x, reversed), 12);
        Assert.Equal(-1, RankCorrelation.Spearman(x, reversed), 12);
    }

    [Fact]
    public void UndefinedCasesAreNaNAndBadInputThrows()
    {
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([0.5, 0.5, 0.5], [1, 2, 3])));
        Assert.True(double.IsNaN(RankCorrelation.Spearman([0.5, 0.5, 0.5], [1, 2, 3])));
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1], [1])));
        Assert.True(double.IsNaN(RankCorrelation.Spearman([], [])));
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTauB([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman([1, double.NaN], [1, 2]));
    }

    [Fact]
    public void BothStayWithinMinusOneAndOneOnRandomSamplesWithTies()
    {
        var random = new IstaNas.Data.DeterministicRandom(5);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = 2 + random.NextInt(12);
            double[] x = [.. Enumerable.Range(0, n).Select(_ => (double)random.NextInt(4))];
            double[] y = [.. Enumerable.Range(0, n).Select(_ => (double)random.NextInt(4))];
            foreach (double v in new[] { RankCorrelation.KendallTauB(x, y), RankCorrelation.Spearman(x, y) })
                Assert.True(double.IsNaN(v) || v is >= -1 and <= 1, $"{v}");
        }
    }
}
