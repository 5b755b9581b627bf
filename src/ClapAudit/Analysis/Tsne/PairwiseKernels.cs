using System.Numerics.Tensors;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// Row-block distance kernels shared by the kNN search of t-SNE:
/// dot products through <see cref="TensorPrimitives"/> (SIMD), distances as scikit-learn's
/// <c>pairwise_distances</c> defines them ("cosine" = 1 - cos, clipped to [0, 2]; "euclidean").
/// </summary>
internal sealed class PairwiseKernels
{
    private readonly double[] _rows = [];  // euclidean: the data
    private readonly float[] _unit = [];   // cosine: unit rows in single precision (twice the SIMD width;
                                           // 1 - cos has no cancellation problem at this scale)
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
            _unit = new float[(long)n * d];
            for (int i = 0; i < n; i++)
            {
                var src = data.AsSpan(i * d, d);
                double norm = Math.Sqrt(TensorPrimitives.Dot(src, src));
                if (norm > 0)
                    for (int t = 0; t < d; t++) _unit[i * d + t] = (float)(src[t] / norm);
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
        if (_cosine)
        {
            var u = new ReadOnlySpan<float>(_unit, i * _d, _d);
            for (int t = 0; t < dst.Length; t++)
                dst[t] = Math.Clamp(1.0 - TensorPrimitives.Dot(u, new ReadOnlySpan<float>(_unit, (j0 + t) * _d, _d)), 0.0, 2.0);
        }
        else
        {
            var a = new ReadOnlySpan<double>(_rows, i * _d, _d);
            for (int t = 0; t < dst.Length; t++)
            {
                int j = j0 + t;
                double dot = TensorPrimitives.Dot(a, new ReadOnlySpan<double>(_rows, j * _d, _d));
                dst[t] = Math.Sqrt(Math.Max(_sqNorms[i] + _sqNorms[j] - 2 * dot, 0.0));
            }
        }
        if (i >= j0 && i < j0 + dst.Length) dst[i - j0] = 0;
    }

    public int Count => _n;
}
