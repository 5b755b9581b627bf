namespace ClapAudit.Analysis;

/// <summary>
/// The k smallest values of a distance row by (distance, index): ties go to the lower index, as a stable sort gives
/// them. Shared by the nearest-item search and trustworthiness.
/// </summary>
internal static class SmallestFirst
{
    /// <summary>The k smallest of <paramref name="row"/> except position <paramref name="self"/>, ascending, ties by index.</summary>
    public static void Select(ReadOnlySpan<double> row, int self, int k, double[] keys, int[] items, Span<int> outIdx, Span<double> outDist)
    {
        int m = 0;
        if (k * 4 >= row.Length)
        {
            for (int j = 0; j < row.Length; j++)
                if (j != self) { keys[m] = row[j]; items[m] = j; m++; }
            // Array.Sort is unstable; sort (distance, index) pairs to keep ties in index order.
            Sort(keys.AsSpan(0, m), items.AsSpan(0, m));
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
            Sort(keys.AsSpan(0, m), items.AsSpan(0, m));
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

    /// <summary>Sorts (distance, index) pairs by distance, equal distances by index.</summary>
    public static void Sort(Span<double> keys, Span<int> items)
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
