using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// The mean silhouette coefficient, defined exactly as scikit-learn's <c>silhouette_score</c>:
/// s_i = (b_i - a_i) / max(a_i, b_i) with a_i the mean distance to the other members of i's cluster and
/// b_i the smallest mean distance to another cluster; items of a singleton cluster score 0.
/// Cosine (the paper's metric): from per-cluster sums of unit rows (<see cref="CosineClusterSums"/>), time O(n d labels),
/// memory O(n · labels + labels · d). Euclidean: in blocks (Parallel.For), time O(n² d / 2) over the upper-triangle
/// tiles, memory O(block² + workers · n · labels) while n · labels ≤ 2M, else sklearn's row blocks, time O(n² d),
/// memory O(workers · n · block + n · labels).
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
        int blockSize = DefaultBlockSize, CancellationToken cancellationToken = default) =>
        Samples(x, labels, metric, blockSize, symmetric: true, cancellationToken);

    /// <remarks>symmetric: false forces the row-block pass; clusterSums: false forces a pairwise pass for cosine
    /// too (tests compare them all).</remarks>
    internal static double[] Samples(EmbeddingMatrix x, IReadOnlyList<int> labels, DistanceMetric metric, int blockSize, bool symmetric,
        CancellationToken cancellationToken, bool clusterSums = true)
    {
        int n = x.Rows;
        Guard.Match(labels.Count == n, $"silhouette: {labels.Count} labels for {n} rows");
        Guard.Positive(blockSize);
        var (codes, counts) = Encode(labels);
        int k = counts.Length;
        if (k < 2 || k > n - 1)
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"silhouette: number of labels is {k}; valid values are 2 to n_samples - 1 = {n - 1} (inclusive)");

        double[] sums;
        if (metric == DistanceMetric.Cosine && clusterSums)
            sums = CosineClusterSums.Compute(x, codes, k, cancellationToken);
        else
        {
            var distances = new PairwiseDistances(x, metric);
            sums = (long)n * k <= SymmetricSumsLimit && symmetric
                ? SumsSymmetric(distances, codes, k, blockSize, cancellationToken)
                : SumsByRowBlocks(distances, codes, k, blockSize, cancellationToken);
        }
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = Coefficient(sums.AsSpan(i * k, k), counts, codes[i]);
        return result;
    }

    // Per-item cluster sums take n x labels doubles per worker in the symmetric pass; above this the
    // row-block pass (sklearn's own scheme) is used so memory stays O(n x block).
    private const long SymmetricSumsLimit = 1L << 21;

    /// <summary>
    /// Distance sums from every item to every cluster, over the upper-triangle tiles only: each tile
    /// D[I, J] (J ≥ I) adds to the rows of I and, transposed, to the rows of J. Half the dot products
    /// of the row-block pass; each worker keeps its own n x labels sums, added up at the end.
    /// </summary>
    private static double[] SumsSymmetric(PairwiseDistances distances, int[] codes, int k, int blockSize, CancellationToken token)
    {
        int n = distances.Count;
        int blocks = (n + blockSize - 1) / blockSize;
        var pairs = new List<(int I, int J)>();
        for (int i = 0; i < blocks; i++)
            for (int j = i; j < blocks; j++) pairs.Add((i, j));
        var total = new double[n * k];
        var gate = new object();
        Parallel.For(0, pairs.Count, new ParallelOptions { CancellationToken = token },
            () => (Tile: new double[Math.Min(blockSize, n) * Math.Min(blockSize, n)], Sums: new double[n * k]),
            (t, _, local) =>
            {
                var (bi, bj) = pairs[t];
                int r0 = bi * blockSize, rows = Math.Min(blockSize, n - r0);
                int c0 = bj * blockSize, cols = Math.Min(blockSize, n - c0);
                var tile = local.Tile.AsSpan(0, rows * cols);
                distances.Tile(r0, rows, c0, cols, tile);
                var sums = local.Sums;
                for (int r = 0; r < rows; r++)
                {
                    int i = r0 + r, rowBase = i * k, codeI = codes[i];
                    var row = tile.Slice(r * cols, cols);
                    if (bi == bj)
                    {
                        for (int c = 0; c < cols; c++) sums[rowBase + codes[c0 + c]] += row[c];
                        continue;
                    }
                    for (int c = 0; c < cols; c++)
                    {
                        int j = c0 + c;
                        sums[rowBase + codes[j]] += row[c];
                        sums[j * k + codeI] += row[c];
                    }
                }
                return local;
            },
            local => { lock (gate) System.Numerics.Tensors.TensorPrimitives.Add(total, local.Sums, total); });
        return total;
    }

    /// <summary>Distance sums from every item to every cluster, one block of rows against all items at a time.</summary>
    private static double[] SumsByRowBlocks(PairwiseDistances distances, int[] codes, int k, int blockSize, CancellationToken token)
    {
        int n = distances.Count;
        var total = new double[n * k];
        int blocks = (n + blockSize - 1) / blockSize;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = token },
            () => new double[Math.Min(blockSize, n) * n],
            (block, _, buffer) =>
            {
                int start = block * blockSize;
                int rows = Math.Min(blockSize, n - start);
                var dist = buffer.AsSpan(0, rows * n);
                distances.Block(start, rows, dist);
                for (int r = 0; r < rows; r++)
                {
                    var sums = total.AsSpan((start + r) * k, k);  // rows of this block belong to this worker alone
                    var row = dist.Slice(r * n, n);
                    for (int j = 0; j < n; j++) sums[codes[j]] += row[j];
                }
                return buffer;
            },
            _ => { });
        return total;
    }

    private static double Coefficient(ReadOnlySpan<double> sums, int[] counts, int own)
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
