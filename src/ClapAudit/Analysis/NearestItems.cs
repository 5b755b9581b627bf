using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// The k nearest other items of every item by an audit metric (the item itself excluded, ties by the lower index),
/// a block of rows at a time. Shared by the k-NN probe and the mutual k-NN alignment.
/// Time O(n² d + n² log k), memory O(workers · block · n + n k).
/// </summary>
public static class NearestItems
{
    /// <returns>n x k row-major neighbour indices, nearest first.</returns>
    public static int[] Of(EmbeddingMatrix x, int k, DistanceMetric metric, int blockSize = Silhouette.DefaultBlockSize,
        CancellationToken cancellationToken = default)
    {
        int n = x.Rows;
        Guard.Setting(k >= 1 && k <= n - 1, $"nearest items: k must be between 1 and n - 1 = {n - 1}, got {k}");
        Guard.Positive(blockSize);
        var distances = new PairwiseDistances(x, metric);
        var result = new int[n * k];
        int blocks = (n + blockSize - 1) / blockSize;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken },
            () => (Rows: new double[Math.Min(blockSize, n) * n], Keys: new double[n], Items: new int[n], Dist: new double[k]),
            (b, _, buf) =>
            {
                int start = b * blockSize, rows = Math.Min(blockSize, n - start);
                distances.Block(start, rows, buf.Rows.AsSpan(0, rows * n));
                for (int r = 0; r < rows; r++)
                    Tsne.NearestNeighbors.SelectSmallest(buf.Rows.AsSpan(r * n, n), start + r, k, buf.Keys, buf.Items,
                        result.AsSpan((start + r) * k, k), buf.Dist);
                return buf;
            }, _ => { });
        return result;
    }
}
