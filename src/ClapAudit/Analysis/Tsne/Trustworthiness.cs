using System.Numerics.Tensors;
using ClapAudit.Common;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// How far a map keeps local structure, exactly as <c>sklearn.manifold.trustworthiness</c>:
/// T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k(i) in the map} max(0, r(i, j) - k),
/// with r(i, j) the rank of j among i's neighbours in the input space (1 = nearest).
/// </summary>
public static class Trustworthiness
{
    /// <summary>
    /// Trustworthiness of the map <paramref name="low"/> (n x dLow, Euclidean) of <paramref name="high"/>
    /// (n x dHigh, distances by <paramref name="metric"/>: "euclidean" or "cosine").
    /// Ties, which scikit-learn leaves to NumPy's unstable sort, are broken by the lower index.
    /// Time O(n^2 (dHigh + dLow + k)), memory O(n) per worker: each input-space row is ranked on the fly.
    /// </summary>
    /// <exception cref="ClapAuditException">Shapes that do not match, or neighbors not below n / 2.</exception>
    public static double Compute(double[] high, double[] low, int n, int dHigh, int dLow, int neighbors = 5, string metric = "euclidean")
    {
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(low);
        Guard.Match((long)n * dHigh == high.Length, $"trustworthiness: input has {high.Length} values, expected {n} x {dHigh}");
        Guard.Match((long)n * dLow == low.Length, $"trustworthiness: map has {low.Length} values, expected {n} x {dLow}");
        Guard.Setting(metric is "euclidean" or "cosine", $"trustworthiness metric must be \"euclidean\" or \"cosine\", got \"{metric}\"");
        Guard.Setting(neighbors >= 1 && neighbors < n / 2.0,
            $"trustworthiness neighbors ({neighbors}) must be at least 1 and less than n / 2 ({n / 2.0})");
        int k = neighbors;

        var norms = new double[n];
        if (metric == "cosine")
            for (int i = 0; i < n; i++)
            {
                var r = high.AsSpan(i * dHigh, dHigh);
                norms[i] = Math.Sqrt(TensorPrimitives.Dot(r, r));
            }

        var penalty = new long[n];
        Parallel.For(0, n, () => (Row: new double[n], Scratch: new double[Math.Max(dHigh, dLow)], Keys: new double[n], Items: new int[n]),
            (i, _, buf) =>
        {
            // The k nearest in the map (Euclidean), self excluded.
            var a = low.AsSpan(i * dLow, dLow);
            for (int j = 0; j < n; j++)
            {
                TensorPrimitives.Subtract(a, low.AsSpan(j * dLow, dLow), buf.Scratch.AsSpan(0, dLow));
                buf.Row[j] = TensorPrimitives.Dot(buf.Scratch.AsSpan(0, dLow), buf.Scratch.AsSpan(0, dLow));
            }
            Span<int> mapNeighbors = stackalloc int[k];
            Span<double> mapDist = stackalloc double[k];
            SmallestFirst.Select(buf.Row, i, k, buf.Keys, buf.Items, mapNeighbors, mapDist);

            // Their ranks in the input space.
            InputRow(high, n, dHigh, i, metric, norms, buf.Row, buf.Scratch.AsSpan(0, dHigh));
            long sum = 0;
            foreach (int j in mapNeighbors)
            {
                double dj = buf.Row[j];
                int rank = 1;
                for (int m = 0; m < n; m++)
                {
                    if (m == i) continue;
                    double dm = buf.Row[m];
                    if (dm < dj || (dm == dj && m < j)) rank++;
                }
                if (rank > k) sum += rank - k;
            }
            penalty[i] = sum;
            return buf;
        }, _ => { });

        long t = 0;
        foreach (long v in penalty) t += v;
        return 1.0 - t * (2.0 / (n * (double)k * (2.0 * n - 3.0 * k - 1.0)));
    }

    private static void InputRow(double[] x, int n, int d, int i, string metric, double[] norms, double[] dst, Span<double> scratch)
    {
        var a = x.AsSpan(i * d, d);
        for (int j = 0; j < n; j++)
        {
            var b = x.AsSpan(j * d, d);
            if (metric == "cosine")
            {
                // scikit-learn normalises rows first (zero rows stay zero), so cos = x.y / (|x| |y|) or 0.
                double den = norms[i] * norms[j];
                double cos = den > 0 ? TensorPrimitives.Dot(a, b) / den : 0;
                dst[j] = Math.Clamp(1.0 - cos, 0.0, 2.0);
            }
            else
            {
                TensorPrimitives.Subtract(a, b, scratch);
                dst[j] = TensorPrimitives.Dot(scratch, scratch);
            }
        }
    }
}
