using ClapAudit.Common;

namespace ClapAudit.Analysis;

/// <summary>95% percentile bootstrap intervals of the audit's headline numbers; null: not measured.</summary>
public sealed record ConfidenceIntervals(double[]? Top1, double[]? SilhouetteAudio, double[]? SilhouetteAudioBackbone)
{
    public int Resamples { get; init; }
}

/// <summary>
/// Stratified percentile bootstrap: each resample draws, within every class, as many items as the class has, with
/// replacement (SplitMix64 seeded by the audit seed, stream "bootstrap"); a statistic that is a mean over items
/// (zero-shot hits, silhouette samples) is recomputed on each resample, and the interval is the 2.5% and 97.5%
/// percentiles (NumPy's linear interpolation) of the B values. The silhouette's per-item coefficients are those of the
/// full bundle (not recomputed per resample, which would cost B full silhouettes): the interval is that of the mean
/// coefficient over the items one might have drawn. Time O(B n), memory O(n + B).
/// </summary>
public static class Bootstrap
{
    public const int DefaultResamples = 1000;

    /// <summary>For each statistic (a value per item), its [lo, hi] interval.</summary>
    public static double[][] Intervals(IReadOnlyList<int> labels, IReadOnlyList<double[]> perItem, int resamples, int seed)
    {
        Guard.Setting(resamples >= 1, $"--bootstrap must be at least 1, got {resamples}");
        var groups = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var rng = new SplitMix64(SplitMix64.Mix((ulong)seed ^ 0xB0075_7AA9UL)); // stream "bootstrap"
        var values = perItem.Select(_ => new double[resamples]).ToArray();
        var sums = new double[perItem.Count];
        for (int b = 0; b < resamples; b++)
        {
            Array.Clear(sums);
            foreach (var g in groups)
                for (int t = 0; t < g.Length; t++)
                {
                    int i = g[rng.Next(g.Length)];
                    for (int s = 0; s < perItem.Count; s++) sums[s] += perItem[s][i];
                }
            for (int s = 0; s < perItem.Count; s++) values[s][b] = sums[s] / labels.Count;
        }
        return values.Select(v => new[] { Percentile(v, 2.5), Percentile(v, 97.5) }).ToArray();
    }

    /// <summary>NumPy's default (linear) percentile.</summary>
    public static double Percentile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        double pos = q / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
