namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// Exact k nearest neighbours of every row (itself excluded) by blocked brute force:
/// rows are split into blocks processed in parallel, each block keeps one distance row per worker,
/// so memory is O(n x k + workers x n), never n x n. Time O(n^2 d) through SIMD dot products.
/// Ties are broken by the lower index.
/// </summary>
internal static class NearestNeighbors
{
    /// <summary>Returns indices and distances (n x k row-major, ascending).</summary>
    public static (int[] Indices, double[] Distances) Find(double[] data, int n, int d, int k, string metric, CancellationToken ct)
    {
        var kernels = new PairwiseKernels(data, n, d, metric);
        var indices = new int[(long)n * k];
        var distances = new double[(long)n * k];
        const int block = 16;
        int blocks = (n + block - 1) / block;
        var options = new ParallelOptions { CancellationToken = ct };
        Parallel.For(0, blocks, options, () => (Dist: new double[block * (long)n], Keys: new double[n], Items: new int[n]), (b, _, buf) =>
        {
            int i1 = Math.Min(n, (b + 1) * block);
            // The block's rows share each cache-resident tile of other rows.
            const int tile = 64;
            var rowsDist = buf.Dist;
            for (int j0 = 0; j0 < n; j0 += tile)
            {
                int len = Math.Min(tile, n - j0);
                for (int i = b * block; i < i1; i++)
                    kernels.Row(i, j0, rowsDist.AsSpan((i - b * block) * n + j0, len));
            }
            for (int i = b * block; i < i1; i++)
            {
                var row = rowsDist.AsSpan((i - b * block) * n, n);
                SelectSmallest(row, i, k, buf.Keys, buf.Items, indices.AsSpan(i * k, k), distances.AsSpan(i * k, k));
            }
            return buf;
        }, _ => { });
        return (indices, distances);
    }

    /// <summary>The k smallest of <paramref name="row"/> except position <paramref name="self"/>, ascending, ties by index.</summary>
    internal static void SelectSmallest(ReadOnlySpan<double> row, int self, int k, double[] keys, int[] items, Span<int> outIdx, Span<double> outDist)
    {
        int m = 0;
        if (k * 4 >= row.Length)
        {
            for (int j = 0; j < row.Length; j++)
                if (j != self) { keys[m] = row[j]; items[m] = j; m++; }
            // Array.Sort is unstable; sort (distance, index) pairs to keep ties in index order.
            SortPairs(keys.AsSpan(0, m), items.AsSpan(0, m));
        }
        else
        {
            // Bounded max-heap of the best k by (distance, index).
            for (int j = 0; j < row.Length; j++)
            {
                if (j == self) continue;
                double v = row[j];
                if (m < k) { keys[m] = v; items[m] = j; SiftUp(keys, items, m); m++; }
                else if (Less(v, j, keys[0], items[0])) { keys[0] = v; items[0] = j; SiftDown(keys, items, 0, m); }
            }
            SortPairs(keys.AsSpan(0, m), items.AsSpan(0, m));
        }
        keys.AsSpan(0, k).CopyTo(outDist);
        items.AsSpan(0, k).CopyTo(outIdx);
    }

    private static bool Less(double a, int ia, double b, int ib) => a < b || (a == b && ia < ib);

    private static void SiftUp(double[] keys, int[] items, int c)
    {
        while (c > 0)
        {
            int p = (c - 1) / 2;
            if (!Less(keys[p], items[p], keys[c], items[c])) break;
            (keys[p], keys[c]) = (keys[c], keys[p]); (items[p], items[c]) = (items[c], items[p]);
            c = p;
        }
    }

    private static void SiftDown(double[] keys, int[] items, int p, int m)
    {
        while (true)
        {
            int l = 2 * p + 1, r = l + 1, big = p;
            if (l < m && Less(keys[big], items[big], keys[l], items[l])) big = l;
            if (r < m && Less(keys[big], items[big], keys[r], items[r])) big = r;
            if (big == p) return;
            (keys[p], keys[big]) = (keys[big], keys[p]); (items[p], items[big]) = (items[big], items[p]);
            p = big;
        }
    }

    private static void SortPairs(Span<double> keys, Span<int> items)
    {
        keys.Sort(items);
        // Repair the order of equal keys (rare) so ties follow the index.
        int s = 0;
        while (s < keys.Length)
        {
            int e = s + 1;
            while (e < keys.Length && keys[e] == keys[s]) e++;
            if (e - s > 1) items[s..e].Sort();
            s = e;
        }
    }
}
