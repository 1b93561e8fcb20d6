namespace IstaNas.Quality;

/// <summary>
/// Rank correlations of two paired samples, with ties handled: Kendall's tau-b and Spearman's rho on average ranks
/// (what <c>scipy.stats.kendalltau</c> and <c>scipy.stats.spearmanr</c> compute). Both lie in [-1, 1]: 1 when the two
/// orders agree, -1 when one reverses the other, about 0 when they are unrelated. Undefined (NaN) with fewer than two
/// pairs or when one sample is constant.
/// </summary>
internal static class RankCorrelation
{
    /// <summary>
    /// Kendall's tau-b: <c>(P - Q) / sqrt((n0 - n1) (n0 - n2))</c>, with P concordant and Q discordant pairs,
    /// <c>n0 = n (n - 1) / 2</c>, and n1, n2 the pairs tied in <paramref name="x"/> and in <paramref name="y"/>; a pair tied
    /// in either is neither concordant nor discordant. O(n^2), fine for the tens of architectures of a study.
    /// </summary>
    /// <param name="x">First sample (for example super-net accuracies).</param>
    /// <param name="y">Second sample, paired with <paramref name="x"/> (for example stand-alone accuracies).</param>
    /// <returns>tau-b in [-1, 1], or NaN when undefined.</returns>
    /// <exception cref="ArgumentException">The samples differ in length or hold a non-finite value.</exception>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        int n = x.Count;
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                int dx = x[i].CompareTo(x[j]), dy = y[i].CompareTo(y[j]);
                if (dx == 0) tiedX++;
                if (dy == 0) tiedY++;
                if (dx == 0 || dy == 0) continue;
                if (dx == dy) concordant++;
                else discordant++;
            }
        }

        long pairs = (long)n * (n - 1) / 2;
        double denominator = Math.Sqrt((double)(pairs - tiedX) * (pairs - tiedY));
        return denominator > 0 ? Math.Clamp((concordant - discordant) / denominator, -1, 1) : double.NaN;
    }

    /// <summary>Spearman's rho: Pearson's correlation of the average ranks (tied values share the mean of their ranks).</summary>
    /// <param name="x">First sample.</param>
    /// <param name="y">Second sample, paired with <paramref name="x"/>.</param>
    /// <returns>rho in [-1, 1], or NaN when undefined.</returns>
    /// <exception cref="ArgumentException">The samples differ in length or hold a non-finite value.</exception>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        if (x.Count < 2) return double.NaN;
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>The 1-based ranks of the values, ties sharing the mean of the ranks they span.</summary>
    /// <param name="values">The values.</param>
    /// <returns>One rank per value, in the values' order.</returns>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int[] order = [.. Enumerable.Range(0, values.Count).OrderBy(i => values[i])];
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start + 1;
            while (end < order.Length && values[order[end]].CompareTo(values[order[start]]) == 0) end++;
            double rank = (start + 1 + end) / 2.0; // mean of the ranks start+1 .. end
            for (int k = start; k < end; k++) ranks[order[k]] = rank;
            start = end;
        }

        return ranks;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double meanA = a.Average(), meanB = b.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - meanA, db = b[i] - meanB;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }

        return saa > 0 && sbb > 0 ? Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1) : double.NaN;
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException($"The samples must be paired: {x.Count} values against {y.Count}.", nameof(y));
        for (int i = 0; i < x.Count; i++)
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ArgumentException($"Pair {i} ({x[i]}, {y[i]}) is not finite; rank correlations need finite values.", nameof(x));
    }
}
