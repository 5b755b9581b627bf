using System.Numerics.Tensors;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// Distances between the rows of one matrix, a block of rows at a time (as scikit-learn's
/// <c>pairwise_distances_chunked</c>), computed as scikit-learn does: cosine = 1 - x̂.ŷ clipped to
/// [0, 2] with rows scaled to unit norm (zero rows left at zero); euclidean = sqrt(max(|x|² - 2x.y + |y|², 0));
/// the diagonal is 0 for both (as scikit-learn's one-chunk path, which fills it for cosine too, so an all-zero
/// row is at distance 0 from itself). Values so large or small that |x|² over- or underflows float64 are
/// scaled by a power of two first (exact), so 1e200 gives the distances of 1e0, times 1e200.
/// Preparing is O(n d); each block is O(rows n d) time, O(rows n) memory.
/// </summary>
public sealed class PairwiseDistances
{
    private readonly double[] _rows;     // unit rows for cosine, the raw rows for euclidean
    private readonly double[]? _squaredNorms;
    private readonly double _unscale = 1; // euclidean distances of the scaled rows times this are the true ones
    // Within these, |x|² stays finite and nonzero.
    private static readonly double Huge = Math.ScaleB(1.0, 300), Tiny = Math.ScaleB(1.0, -300);
    public int Count { get; }
    public int Dimension { get; }
    public DistanceMetric Metric { get; }

    public PairwiseDistances(EmbeddingMatrix x, DistanceMetric metric)
    {
        Count = x.Rows;
        Dimension = x.Columns;
        Metric = metric;
        if (metric == DistanceMetric.Cosine)
        {
            _rows = UnitRows(x);
        }
        else
        {
            _rows = x.Values;
            double max = x.Values.Length == 0 ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x.Values)); // MaxMagnitude keeps the sign
            if (max > 0 && (max > Huge || max < Tiny))
            {
                // An exact power of two keeps every distance's digits; only its exponent moves.
                double scale = Math.ScaleB(1.0, -Math.ILogB(max));
                _rows = new double[x.Values.Length];
                TensorPrimitives.Multiply(x.Values, scale, _rows);
                _unscale = 1 / scale;
            }
            _squaredNorms = new double[Count];
            for (int i = 0; i < Count; i++)
            {
                var row = _rows.AsSpan(i * Dimension, Dimension);
                _squaredNorms[i] = TensorPrimitives.Dot(row, row);
            }
        }
    }

    /// <summary>Rows scaled to unit L2 norm; an all-zero row stays zero (scikit-learn's <c>normalize</c>).</summary>
    public static double[] UnitRows(EmbeddingMatrix x)
    {
        var result = new double[x.Values.Length];
        for (int i = 0; i < x.Rows; i++) UnitRow(x.Row(i), result.AsSpan(i * x.Columns, x.Columns));
        return result;
    }

    /// <summary>One row scaled to unit L2 norm into <paramref name="dest"/>; an all-zero row stays zero.</summary>
    public static void UnitRow(ReadOnlySpan<double> row, Span<double> dest)
    {
        double norm = Math.Sqrt(TensorPrimitives.Dot(row, row));
        if (norm == 0 && TensorPrimitives.MaxMagnitude(row) == 0) row.CopyTo(dest);
        else if (double.IsFinite(norm) && norm > 1e-150) TensorPrimitives.Divide(row, norm, dest);
        else
        {
            // |x|² over- or underflowed (values near 1e200 or 1e-200): divide by the largest value first.
            TensorPrimitives.Divide(row, Math.Abs(TensorPrimitives.MaxMagnitude(row)), dest); // MaxMagnitude keeps the sign
            TensorPrimitives.Divide(dest, Math.Sqrt(TensorPrimitives.Dot(dest, dest)), dest);
        }
    }

    /// <summary>The rows the distances are computed from: unit rows for cosine, the (power-of-two scaled) rows for euclidean.</summary>
    internal double[] PreparedRows => _rows;

    /// <summary>|row i|² of <see cref="PreparedRows"/> (euclidean only).</summary>
    internal double SquaredNorm(int i) => _squaredNorms![i];

    /// <summary>The distance of rows i and j, as <see cref="Tile"/> gives it (one float64 dot product).</summary>
    public double Distance(int i, int j)
    {
        if (i == j) return 0.0;
        int d = Dimension;
        double dot = TensorPrimitives.Dot(_rows.AsSpan(i * d, d), _rows.AsSpan(j * d, d));
        if (Metric == DistanceMetric.Cosine) return Math.Clamp(1.0 - dot, 0.0, 2.0);
        return Math.Sqrt(Math.Max(-2.0 * dot + _squaredNorms![i] + _squaredNorms[j], 0.0)) * _unscale;
    }

    /// <summary>Fills <paramref name="dest"/> (rowCount x Count) with the distances of rows [start, start + rowCount) to every row.</summary>
    public void Block(int start, int rowCount, Span<double> dest) => Tile(start, rowCount, 0, Count, dest);

    /// <summary>Fills <paramref name="dest"/> (rowCount x columnCount) with the distances of rows [rowStart, +rowCount) to rows [columnStart, +columnCount).</summary>
    public void Tile(int rowStart, int rowCount, int columnStart, int columnCount, Span<double> dest)
    {
        int d = Dimension, cells = rowCount * columnCount;
        GramKernel.Dots(_rows.AsSpan(rowStart * d, rowCount * d), rowCount, _rows.AsSpan(columnStart * d, columnCount * d), columnCount, d, dest);
        if (Metric == DistanceMetric.Cosine)
        {
            for (int t = 0; t < cells; t++) dest[t] = Math.Clamp(1.0 - dest[t], 0.0, 2.0);
            ZeroDiagonal(rowStart, rowCount, columnStart, columnCount, dest);
            return;
        }
        var sq = _squaredNorms!;
        for (int r = 0; r < rowCount; r++)
        {
            double xx = sq[rowStart + r];
            var row = dest.Slice(r * columnCount, columnCount);
            for (int j = 0; j < columnCount; j++)
                row[j] = Math.Sqrt(Math.Max(-2.0 * row[j] + xx + sq[columnStart + j], 0.0)) * _unscale;
        }
        ZeroDiagonal(rowStart, rowCount, columnStart, columnCount, dest);
    }

    private static void ZeroDiagonal(int rowStart, int rowCount, int columnStart, int columnCount, Span<double> dest)
    {
        for (int r = 0; r < rowCount; r++)
        {
            int diagonal = rowStart + r - columnStart;
            if (diagonal >= 0 && diagonal < columnCount) dest[r * columnCount + diagonal] = 0.0;
        }
    }
}
