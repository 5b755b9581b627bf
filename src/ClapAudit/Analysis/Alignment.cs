using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>How alike two representations of the same rows are: linear CKA and, on items, mutual k-NN.</summary>
public sealed record AlignmentScores(double Cka, double? MutualKnn);

/// <summary>The three pairs of the audit; null: not measured (Skipped says why).</summary>
public sealed record AlignmentComparisons(AlignmentScores? AudioBackboneVsAudio, AlignmentScores? TextBackboneVsText, AlignmentScores? AudioVsText)
{
    /// <summary>k of the mutual k-NN (Huh et al. 2024).</summary>
    public int MutualKnnK { get; init; } = Alignment.MutualK;
}

/// <summary>
/// Representation alignment. Linear CKA (Kornblith et al. 2019): with the columns of X (n x p) and Y (n x q) centred,
/// CKA = ||Yᵀ X||²_F / (||Xᵀ X||_F ||Yᵀ Y||_F), in [0, 1], invariant to rotation and isotropic scaling; computed in
/// feature space, time O(n (p + q)²), memory O((p + q)²). Mutual k-NN (Huh et al. 2024, "The Platonic
/// Representation Hypothesis"): mean over rows of |N_k(x_i) ∩ N_k(y_i)| / k, neighbours by the audit's metric with
/// the row itself excluded (ties by the lower index); time O(n² (p + q)), memory O(block n + n k).
/// </summary>
public static class Alignment
{
    public const int MutualK = 10;

    public static double LinearCka(EmbeddingMatrix x, EmbeddingMatrix y)
    {
        Guard.Match(x.Rows == y.Rows, $"CKA: the representations have {x.Rows} and {y.Rows} rows; rows must correspond");
        Guard.Data(x.Rows >= 2, $"CKA: needs at least 2 rows, got {x.Rows}");
        var xt = CentredTranspose(x);
        var yt = CentredTranspose(y);
        int n = x.Rows, p = x.Columns, q = y.Columns;
        double yx = SquaredFrobeniusOfProduct(yt, q, xt, p, n);
        double xx = Math.Sqrt(SquaredFrobeniusOfProduct(xt, p, xt, p, n));
        double yy = Math.Sqrt(SquaredFrobeniusOfProduct(yt, q, yt, q, n));
        return xx == 0 || yy == 0 ? double.NaN : yx / (xx * yy);
    }

    /// <summary>||A Bᵀ||²_F for A (a x n) and B (b x n), a block of A's rows at a time.</summary>
    private static double SquaredFrobeniusOfProduct(double[] a, int aRows, double[] b, int bRows, int n)
    {
        const int block = 32;
        int blocks = (aRows + block - 1) / block;
        var partial = new double[blocks];
        Parallel.For(0, blocks, t =>
        {
            int start = t * block, rows = Math.Min(block, aRows - start);
            var dest = new double[rows * bRows];
            GramKernel.Dots(a.AsSpan(start * n, rows * n), rows, b, bRows, n, dest);
            partial[t] = System.Numerics.Tensors.TensorPrimitives.Dot(dest, dest);
        });
        return partial.Sum();
    }

    /// <summary>Xᵀ with every column of X centred: d rows of n values.</summary>
    private static double[] CentredTranspose(EmbeddingMatrix x)
    {
        int n = x.Rows, d = x.Columns;
        var t = new double[n * d];
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x.Values[i * d + j];
            mean /= n;
            for (int i = 0; i < n; i++) t[j * n + i] = x.Values[i * d + j] - mean;
        }
        return t;
    }

    public static double MutualKnn(EmbeddingMatrix x, EmbeddingMatrix y, int k = MutualK, DistanceMetric metric = DistanceMetric.Cosine,
        int blockSize = Silhouette.DefaultBlockSize, CancellationToken cancellationToken = default)
    {
        Guard.Match(x.Rows == y.Rows, $"mutual k-NN: the representations have {x.Rows} and {y.Rows} rows; rows must correspond");
        int n = x.Rows;
        return MutualKnn(NearestItems.Of(x, k, metric, blockSize, cancellationToken), NearestItems.Of(y, k, metric, blockSize, cancellationToken), k, n, k);
    }

    /// <summary>Mutual k-NN from neighbour lists of <paramref name="stored"/> per row (nearest first), using the first k.</summary>
    public static double MutualKnn(int[] nx, int[] ny, int stored, int n, int k)
    {
        Guard.Setting(k >= 1 && k <= stored && nx.Length == n * stored && ny.Length == n * stored, $"mutual k-NN: k {k} of {stored} stored neighbours");
        double total = 0;
        var set = new HashSet<int>();
        for (int i = 0; i < n; i++)
        {
            set.Clear();
            for (int j = 0; j < k; j++) set.Add(nx[i * stored + j]);
            int shared = 0;
            for (int j = 0; j < k; j++) if (set.Contains(ny[i * stored + j])) shared++;
            total += (double)shared / k;
        }
        return total / n;
    }
}
