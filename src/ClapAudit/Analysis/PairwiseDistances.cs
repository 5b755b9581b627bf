using System.Numerics.Tensors;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// Distances between the rows of one matrix, a block of rows at a time (as scikit-learn's
/// <c>pairwise_distances_chunked</c>), computed as scikit-learn does: cosine = 1 - x̂.ŷ clipped to
/// [0, 2] with rows scaled to unit norm (zero rows left at zero); euclidean = sqrt(max(|x|² - 2x.y + |y|², 0))
/// with the diagonal set to 0. Preparing is O(n d); each block is O(rows n d) time, O(rows n) memory.
/// </summary>
public sealed class PairwiseDistances
{
    private readonly double[] _rows;     // unit rows for cosine, the raw rows for euclidean
    private readonly double[]? _squaredNorms;
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
            _squaredNorms = new double[Count];
            for (int i = 0; i < Count; i++) _squaredNorms[i] = TensorPrimitives.Dot(x.Row(i), x.Row(i));
        }
    }

    /// <summary>Rows scaled to unit L2 norm; an all-zero row stays zero (scikit-learn's <c>normalize</c>).</summary>
    public static double[] UnitRows(EmbeddingMatrix x)
    {
        var result = new double[x.Values.Length];
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            double norm = Math.Sqrt(TensorPrimitives.Dot(row, row));
            var dest = result.AsSpan(i * x.Columns, x.Columns);
            if (norm == 0) row.CopyTo(dest);
            else TensorPrimitives.Divide(row, norm, dest);
        }
        return result;
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
            return;
        }
        var sq = _squaredNorms!;
        for (int r = 0; r < rowCount; r++)
        {
            double xx = sq[rowStart + r];
            var row = dest.Slice(r * columnCount, columnCount);
            for (int j = 0; j < columnCount; j++) row[j] = Math.Sqrt(Math.Max(-2.0 * row[j] + xx + sq[columnStart + j], 0.0));
            int diagonal = rowStart + r - columnStart;
            if (diagonal >= 0 && diagonal < columnCount) row[diagonal] = 0.0;
        }
    }
}
