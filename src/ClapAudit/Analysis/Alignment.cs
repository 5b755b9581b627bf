using ClapAudit.Common;
using ClapAudit.Evaluation;
using TorchSharp;

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
/// the row itself excluded (ties by the lower index); time O(n² (p + q)) (see <see cref="NearestItems"/>), memory O(n (p + q) + n k).
/// </summary>
public static class Alignment
{
    public const int MutualK = 10;

    public static double LinearCka(EmbeddingMatrix x, EmbeddingMatrix y)
    {
        Guard.Match(x.Rows == y.Rows, $"CKA: the representations have {x.Rows} and {y.Rows} rows; rows must correspond");
        Guard.Data(x.Rows >= 2, $"CKA: needs at least 2 rows, got {x.Rows}");
        int n = x.Rows, p = x.Columns, q = y.Columns;
        // The three Gram matrices in feature space, summed over blocks of centred rows with libtorch's float64 GEMM
        // (MKL): the same O(n (p + q)²) work as before at several times the speed, in O(block (p + q) + (p + q)²) memory.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var xMean = ColumnMeans(x);
        var yMean = ColumnMeans(y);
        var xx = torch.zeros([p, p], torch.ScalarType.Float64);
        var yy = torch.zeros([q, q], torch.ScalarType.Float64);
        var yx = torch.zeros([q, p], torch.ScalarType.Float64);
        int block = Math.Max(1, (int)Math.Min(n, (8L << 20) / Math.Max(1, p + q)));
        for (int start = 0; start < n; start += block)
        {
            int rows = Math.Min(block, n - start);
            using var xb = CentredBlock(x, xMean, start, rows);
            using var yb = CentredBlock(y, yMean, start, rows);
            xx.addmm_(xb.t(), xb);
            yy.addmm_(yb.t(), yb);
            yx.addmm_(yb.t(), xb);
        }
        // t.mul(t), not t.square(): square() passes TorchSharp an unheld Scalar 2 (see Models.SafeScalars).
        double cross = yx.mul(yx).sum().item<double>();
        double normX = Math.Sqrt(xx.mul(xx).sum().item<double>());
        double normY = Math.Sqrt(yy.mul(yy).sum().item<double>());
        return normX == 0 || normY == 0 ? double.NaN : cross / (normX * normY);
    }

    private static double[] ColumnMeans(EmbeddingMatrix x)
    {
        var mean = new double[x.Columns];
        for (int i = 0; i < x.Rows; i++) System.Numerics.Tensors.TensorPrimitives.Add(mean, x.Row(i), mean);
        System.Numerics.Tensors.TensorPrimitives.Divide(mean, x.Rows, mean);
        return mean;
    }

    /// <summary>Rows [start, start + rows) of x with the column means subtracted, as a float64 tensor.</summary>
    private static torch.Tensor CentredBlock(EmbeddingMatrix x, double[] mean, int start, int rows)
    {
        int d = x.Columns;
        var t = torch.empty([rows, d], torch.ScalarType.Float64);
        var dest = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(t.bytes);
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Subtract(x.Row(start + r), mean, dest.Slice(r * d, d));
        return t;
    }

    public static double MutualKnn(EmbeddingMatrix x, EmbeddingMatrix y, int k = MutualK, DistanceMetric metric = DistanceMetric.Cosine,
        CancellationToken cancellationToken = default)
    {
        Guard.Match(x.Rows == y.Rows, $"mutual k-NN: the representations have {x.Rows} and {y.Rows} rows; rows must correspond");
        int n = x.Rows;
        return MutualKnn(NearestItems.Of(x, k, metric, cancellationToken), NearestItems.Of(y, k, metric, cancellationToken), k, n, k);
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
