using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// The mean silhouette coefficient, defined exactly as scikit-learn's <c>silhouette_score</c>:
/// s_i = (b_i - a_i) / max(a_i, b_i) with a_i the mean distance to the other members of i's cluster and
/// b_i the smallest mean distance to another cluster; items of a singleton cluster score 0.
/// Computed in row blocks (Parallel.For over blocks): time O(n² d), memory O(n · block + n · labels).
/// </summary>
public static class Silhouette
{
    public const int DefaultBlockSize = 128;

    /// <remarks>labels: one label per row; any integers (only the labels present count).</remarks>
    public static double Score(EmbeddingMatrix x, IReadOnlyList<int> labels, DistanceMetric metric = DistanceMetric.Cosine,
        int blockSize = DefaultBlockSize, CancellationToken cancellationToken = default) =>
        Samples(x, labels, metric, blockSize, cancellationToken).Average();

    /// <summary>The per-item silhouette values (scikit-learn's <c>silhouette_samples</c>).</summary>
    public static double[] Samples(EmbeddingMatrix x, IReadOnlyList<int> labels, DistanceMetric metric = DistanceMetric.Cosine,
        int blockSize = DefaultBlockSize, CancellationToken cancellationToken = default)
    {
        int n = x.Rows;
        Guard.Match(labels.Count == n, $"silhouette: {labels.Count} labels for {n} rows");
        Guard.Positive(blockSize);
        var (codes, counts) = Encode(labels);
        int k = counts.Length;
        if (k < 2 || k > n - 1)
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"silhouette: number of labels is {k}; valid values are 2 to n_samples - 1 = {n - 1} (inclusive)");

        var distances = new PairwiseDistances(x, metric);
        var result = new double[n];
        int blocks = (n + blockSize - 1) / blockSize;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken },
            () => (Dist: new double[Math.Min(blockSize, n) * n], Sums: new double[k]),
            (block, _, buffers) =>
            {
                int start = block * blockSize;
                int rows = Math.Min(blockSize, n - start);
                var dist = buffers.Dist.AsSpan(0, rows * n);
                distances.Block(start, rows, dist);
                var sums = buffers.Sums;
                for (int r = 0; r < rows; r++)
                {
                    Array.Clear(sums);
                    var row = dist.Slice(r * n, n);
                    for (int j = 0; j < n; j++) sums[codes[j]] += row[j];
                    int own = codes[start + r];
                    result[start + r] = Coefficient(sums, counts, own);
                }
                return buffers;
            },
            _ => { });
        return result;
    }

    private static double Coefficient(double[] sums, int[] counts, int own)
    {
        int ownCount = counts[own];
        if (ownCount <= 1) return 0.0;  // scikit-learn: a singleton cluster's item scores 0
        double a = sums[own] / (ownCount - 1);
        double b = double.PositiveInfinity;
        for (int c = 0; c < sums.Length; c++)
            if (c != own) b = Math.Min(b, sums[c] / counts[c]);
        double denominator = Math.Max(a, b);
        return denominator == 0 ? 0.0 : (b - a) / denominator;  // scikit-learn's nan_to_num
    }

    /// <summary>Maps labels to 0..k-1 in sorted order (scikit-learn's LabelEncoder) and counts each.</summary>
    internal static (int[] Codes, int[] Counts) Encode(IReadOnlyList<int> labels)
    {
        var distinct = labels.Distinct().Order().ToArray();
        var index = new Dictionary<int, int>(distinct.Length);
        for (int i = 0; i < distinct.Length; i++) index[distinct[i]] = i;
        var codes = new int[labels.Count];
        var counts = new int[distinct.Length];
        for (int i = 0; i < codes.Length; i++) counts[codes[i] = index[labels[i]]]++;
        return (codes, counts);
    }
}
