using System.Numerics.Tensors;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// Row-block distance kernels shared by the kNN search of t-SNE:
/// dot products through <see cref="TensorPrimitives"/> (SIMD), distances as scikit-learn's
/// <c>pairwise_distances</c> defines them ("cosine" = 1 - cos, clipped to [0, 2]; "euclidean").
/// </summary>
internal sealed class PairwiseKernels
{
    private readonly double[] _rows;   // cosine: unit rows; euclidean: the data
    private readonly double[] _sqNorms; // euclidean only
    private readonly int _n, _d;
    private readonly bool _cosine;

    public PairwiseKernels(double[] data, int n, int d, string metric)
    {
        _n = n; _d = d; _cosine = metric == "cosine";
        _sqNorms = new double[n];
        if (_cosine)
        {
            // Zero rows stay zero (scikit-learn's normalize leaves them), so their distance to anything is 1.
            _rows = new double[(long)n * d];
            for (int i = 0; i < n; i++)
            {
                var src = data.AsSpan(i * d, d);
                double norm = Math.Sqrt(TensorPrimitives.Dot(src, src));
                if (norm > 0) TensorPrimitives.Divide(src, norm, _rows.AsSpan(i * d, d));
            }
        }
        else
        {
            _rows = data;
            for (int i = 0; i < n; i++)
            {
                var r = data.AsSpan(i * d, d);
                _sqNorms[i] = TensorPrimitives.Dot(r, r);
            }
        }
    }

    /// <summary>
    /// Distances (not squared) from row <paramref name="i"/> to rows [j0, j0 + dst.Length).
    /// Euclidean distances come from |x|^2 + |y|^2 - 2 x.y (one SIMD dot per pair), clamped at 0.
    /// </summary>
    public void Row(int i, int j0, Span<double> dst)
    {
        var a = new ReadOnlySpan<double>(_rows, i * _d, _d);
        for (int t = 0; t < dst.Length; t++)
        {
            int j = j0 + t;
            double dot = TensorPrimitives.Dot(a, new ReadOnlySpan<double>(_rows, j * _d, _d));
            dst[t] = _cosine
                ? Math.Clamp(1.0 - dot, 0.0, 2.0)
                : Math.Sqrt(Math.Max(_sqNorms[i] + _sqNorms[j] - 2 * dot, 0.0));
        }
        if (i >= j0 && i < j0 + dst.Length) dst[i - j0] = 0;
    }

    public int Count => _n;
}
