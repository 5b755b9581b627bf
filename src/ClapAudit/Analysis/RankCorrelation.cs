using ClapAudit.Common;

namespace ClapAudit.Analysis;

/// <summary>
/// Spearman's rank correlation, as <c>scipy.stats.spearmanr</c>: Pearson's rho of the ranks, ties given their average
/// rank; and the permutation p-value of Pearson's r. O(n log n) and O(n · n!) or O(n · draws).
/// </summary>
public static class RankCorrelation
{
    /// <summary>Exact enumeration up to this n (8! = 40,320 pairings); Monte Carlo above.</summary>
    public const int ExactUpTo = 8;
    public const int MonteCarloDraws = 100_000;

    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Guard.Match(x.Count == y.Count, $"spearman: the inputs have {x.Count} and {y.Count} values");
        return PearsonCorrelation.Compute(Ranks(x), Ranks(y)).Rho;
    }

    /// <summary>Ranks 1..n, ties their average (scipy.stats.rankdata's "average").</summary>
    public static double[] Ranks(IReadOnlyList<double> v)
    {
        int n = v.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => v[i]).ToArray();
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && v[order[end + 1]] == v[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int t = start; t <= end; t++) ranks[order[t]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Two-sided permutation p-value of Pearson's r: the share of pairings of y with x whose |r| is at least the observed
    /// |r| (within 1e-12). All n! pairings for n ≤ 8 (exact; the observed pairing is one of them); above that, 100,000
    /// random pairings (Fisher-Yates from SplitMix64 seeded by <paramref name="seed"/>) with p = (1 + hits) / (1 + draws).
    /// NaN when r is undefined (a constant input).
    /// </summary>
    public static double PermutationP(IReadOnlyList<double> x, IReadOnlyList<double> y, int seed = 0)
    {
        int n = x.Count;
        Guard.Match(y.Count == n, $"permutation test: the inputs have {x.Count} and {y.Count} values");
        Guard.Data(n >= 3, $"permutation test: needs at least 3 pairs, got {n}");
        // r is a monotone function of sum x_i y_i for fixed marginals, so compare centred dot products.
        var xc = Centred(x);
        var yc = Centred(y);
        double nx = Math.Sqrt(xc.Sum(v => v * v)), ny = Math.Sqrt(yc.Sum(v => v * v));
        if (nx == 0 || ny == 0) return double.NaN;
        double Dot(int[] perm) { double s = 0; for (int i = 0; i < n; i++) s += xc[i] * yc[perm[i]]; return s; }
        var identity = Enumerable.Range(0, n).ToArray();
        double observed = Math.Abs(Dot(identity)) / (nx * ny);
        bool AtLeast(int[] perm) => Math.Abs(Dot(perm)) / (nx * ny) >= observed - 1e-12;

        if (n <= ExactUpTo)
        {
            long hits = 0, total = 0;
            var perm = (int[])identity.Clone();
            do { total++; if (AtLeast(perm)) hits++; } while (NextPermutation(perm));
            return (double)hits / total;
        }
        var rng = new SplitMix64(SplitMix64.Mix((ulong)seed ^ 0x9E12_77A1_0C0EUL)); // stream "permutation test"
        var p = (int[])identity.Clone();
        long count = 0;
        for (int draw = 0; draw < MonteCarloDraws; draw++)
        {
            for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); (p[i], p[j]) = (p[j], p[i]); }
            if (AtLeast(p)) count++;
        }
        return (1.0 + count) / (1.0 + MonteCarloDraws);
    }

    private static double[] Centred(IReadOnlyList<double> v)
    {
        double mean = v.Average();
        return v.Select(e => e - mean).ToArray();
    }

    /// <summary>The next permutation in lexicographic order; false after the last.</summary>
    private static bool NextPermutation(int[] a)
    {
        int i = a.Length - 2;
        while (i >= 0 && a[i] >= a[i + 1]) i--;
        if (i < 0) return false;
        int j = a.Length - 1;
        while (a[j] <= a[i]) j--;
        (a[i], a[j]) = (a[j], a[i]);
        Array.Reverse(a, i + 1, a.Length - i - 1);
        return true;
    }
}
