using ClapAudit.Common;
using ClapAudit.Evaluation;
using TorchSharp;
using ClapAudit.Interop;

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
/// feature space (time O(n (p + q)²), memory O((p + q)²)) or from the item Gram matrices (time O(n² (p + q)), memory
/// O(n (p + q))), whichever costs less, with float32 products and float64 sums (within 1e-6 of the float64 formula). Mutual k-NN (Huh et al. 2024, "The Platonic Representation Hypothesis"):
/// mean over rows of |N_k(x_i) ∩ N_k(y_i)| / k, neighbours by the audit's metric with the row itself excluded (ties
/// by the lower index); time O(n² (p + q)) (see <see cref="NearestItems"/>), memory O(n (p + q) + n k).
/// </summary>
public static class Alignment
{
    public const int MutualK = 10;

    public static double LinearCka(EmbeddingMatrix x, EmbeddingMatrix y)
    {
        Guard.Match(x.Rows == y.Rows, $"CKA: the representations have {x.Rows} and {y.Rows} rows; rows must correspond");
        Guard.Data(x.Rows >= 2, $"CKA: needs at least 2 rows, got {x.Rows}");
        int n = x.Rows, p = x.Columns, q = y.Columns;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var xMean = ColumnMeans(x);
        var yMean = ColumnMeans(y);
        // The same three sums in either space: ||Yᵀ X||²_F = <K_X, K_Y>_F and ||Xᵀ X||_F = ||K_X||_F with the item Gram
        // matrices K = X Xᵀ. Feature space costs n (p² + q² + pq) multiplications, item space n² (p + q) / 2 (K is
        // symmetric, so only the blocks on and right of the diagonal are formed); the cheaper one is used (item space
        // for the class-level pairs and for items up to n ~ 4,800 at p = 2048, q = 1024).
        var (cross, xx, yy) = (double)n * (p + q) / 2 < (double)p * p + (double)q * q + (double)p * q
            ? ItemSpaceSums(x, y, xMean, yMean)
            : FeatureSpaceSums(x, y, xMean, yMean);
        double normX = Math.Sqrt(xx), normY = Math.Sqrt(yy);
        return normX == 0 || normY == 0 ? double.NaN : cross / (normX * normY);
    }

    // Both sums: the products on libtorch's float32 GEMM (twice float64's rate; at n = 2,000 x (2048 + 1024) the
    // float64 feature-space form took 0.35-0.42 s, most of the audit's added time), the sums of their entries in
    // float64. The centring is done in float64 before the cast, so only the products are single precision: CKA agrees
    // with NumPy's float64 formula to 1e-6 (the report prints 4 decimals).

    /// <summary>||Yᵀ X||²_F, ||Xᵀ X||²_F, ||Yᵀ Y||²_F from the p x p, q x q, q x p Gram matrices, summed over blocks of
    /// centred rows. Memory O(block (p + q) + (p + q)²).</summary>
    private static (double Cross, double XX, double YY) FeatureSpaceSums(EmbeddingMatrix x, EmbeddingMatrix y, double[] xMean, double[] yMean)
    {
        int n = x.Rows, p = x.Columns, q = y.Columns;
        var xx = torch.zeros([p, p], torch.ScalarType.Float64);
        var yy = torch.zeros([q, q], torch.ScalarType.Float64);
        var yx = torch.zeros([q, p], torch.ScalarType.Float64);
        int block = Math.Max(1, (int)Math.Min(Math.Min(n, 512), (8L << 20) / Math.Max(1, p + q)));
        for (int start = 0; start < n; start += block)
        {
            int rows = Math.Min(block, n - start);
            using var xb = CentredBlock(x, xMean, start, rows);
            using var yb = CentredBlock(y, yMean, start, rows);
            using (var b = xb.t().mm(xb)) xx.PlusInPlace(b);
            using (var b = yb.t().mm(yb)) yy.PlusInPlace(b);
            using (var b = yb.t().mm(xb)) yx.PlusInPlace(b);
        }
        return (SumOfProducts(yx, yx), SumOfProducts(xx, xx), SumOfProducts(yy, yy));
    }

    /// <summary>The same sums from the item Gram matrices, one block of rows at a time, each against the rows from its
    /// own start on: the diagonal block counts once, the block right of it twice (for its mirror image below the
    /// diagonal). Memory O(n (p + q) + block n).</summary>
    private static (double Cross, double XX, double YY) ItemSpaceSums(EmbeddingMatrix x, EmbeddingMatrix y, double[] xMean, double[] yMean)
    {
        int n = x.Rows;
        using var xc = CentredBlock(x, xMean, 0, n);
        using var yc = CentredBlock(y, yMean, 0, n);
        double cross = 0, xx = 0, yy = 0;
        const int block = 256;
        for (int start = 0; start < n; start += block)
        {
            using var inner = torch.NewDisposeScope();
            int rows = Math.Min(block, n - start), right = n - start - rows;
            var kx = xc.narrow(0, start, rows).mm(xc.narrow(0, start, n - start).t()).to(torch.ScalarType.Float64);
            var ky = yc.narrow(0, start, rows).mm(yc.narrow(0, start, n - start).t()).to(torch.ScalarType.Float64);
            var (dx, dy) = (kx.narrow(1, 0, rows), ky.narrow(1, 0, rows));
            cross += SumOfProducts(dx, dy);
            xx += SumOfProducts(dx, dx);
            yy += SumOfProducts(dy, dy);
            if (right == 0) continue;
            var (ox, oy) = (kx.narrow(1, rows, right), ky.narrow(1, rows, right));
            cross += 2 * SumOfProducts(ox, oy);
            xx += 2 * SumOfProducts(ox, ox);
            yy += 2 * SumOfProducts(oy, oy);
        }
        return (cross, xx, yy);
    }

    // a.mul(b), not a.square(): square() passes TorchSharp an unheld Scalar 2 (see Interop.SafeScalars).
    private static double SumOfProducts(torch.Tensor a, torch.Tensor b)
    {
        using var product = a.mul(b);
        using var sum = product.sum();
        return sum.item<double>();
    }

    private static double[] ColumnMeans(EmbeddingMatrix x)
    {
        var mean = new double[x.Columns];
        for (int i = 0; i < x.Rows; i++) System.Numerics.Tensors.TensorPrimitives.Add(mean, x.Row(i), mean);
        System.Numerics.Tensors.TensorPrimitives.Divide(mean, x.Rows, mean);
        return mean;
    }

    /// <summary>Rows [start, start + rows) of x with the column means subtracted (in float64), as a float32 tensor.</summary>
    private static torch.Tensor CentredBlock(EmbeddingMatrix x, double[] mean, int start, int rows)
    {
        int d = x.Columns;
        var t = torch.empty([rows, d], torch.ScalarType.Float32);
        var dest = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);
        var centred = new double[d];
        for (int r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Subtract(x.Row(start + r), mean, centred);
            var row = dest.Slice(r * d, d);
            for (int j = 0; j < d; j++) row[j] = (float)centred[j];
        }
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
