using System.Numerics.Tensors;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// The silhouette's distance sums for the cosine metric without the n x n distances: with unit rows x̂ and each
/// cluster's sum of unit rows S_c, the sum of cosine distances from item i to cluster c is
/// sum_j (1 - x̂_i . x̂_j) = |c| - x̂_i . S_c, and for i's own cluster the self term 1 - x̂_i . x̂_i is taken out
/// (scikit-learn sets the diagonal to 0, which matters for an all-zero row, whose distance to everything is 1).
/// The only difference from the pairwise sum is scikit-learn's clip of each distance to [0, 2], which moves a
/// distance by rounding error alone (a few 1e-16). Time O(n d k), the pairwise pass O(n² d); memory O(k d) plus a
/// block of unit rows per worker.
/// </summary>
internal static class CosineClusterSums
{
    private const int BlockRows = 64;

    /// <returns>n x k sums, row-major: [i * k + c] = sum of cosine distances from item i to the items of cluster c.</returns>
    public static double[] Compute(EmbeddingMatrix x, int[] codes, int k, CancellationToken token)
    {
        int n = x.Rows, d = x.Columns;
        var counts = new int[k];
        foreach (int c in codes) counts[c]++;

        // Pass 1: S_c, one unit row at a time (O(n d), sequential: a worker-private k x d copy would cost more memory).
        var clusterSums = new double[k * d];
        var unit = new double[d];
        for (int i = 0; i < n; i++)
        {
            if ((i & 1023) == 0) token.ThrowIfCancellationRequested();
            PairwiseDistances.UnitRow(x.Row(i), unit);
            var s = clusterSums.AsSpan(codes[i] * d, d);
            TensorPrimitives.Add(s, unit, s);
        }

        // Pass 2: the n x k products x̂_i . S_c in blocks of unit rows (the register-blocked Gram kernel).
        var sums = new double[n * k];
        int blocks = (n + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = token },
            () => new double[BlockRows * d],
            (b, _, buffer) =>
            {
                int start = b * BlockRows, rows = Math.Min(BlockRows, n - start);
                for (int r = 0; r < rows; r++) PairwiseDistances.UnitRow(x.Row(start + r), buffer.AsSpan(r * d, d));
                var dots = sums.AsSpan(start * k, rows * k);
                GramKernel.Dots(buffer.AsSpan(0, rows * d), rows, clusterSums, k, d, dots);
                for (int r = 0; r < rows; r++)
                {
                    var row = dots.Slice(r * k, k);
                    for (int c = 0; c < k; c++) row[c] = counts[c] - row[c];
                    var self = buffer.AsSpan(r * d, d);
                    row[codes[start + r]] -= 1 - TensorPrimitives.Dot(self, self);
                }
                return buffer;
            },
            _ => { });
        return sums;
    }
}
