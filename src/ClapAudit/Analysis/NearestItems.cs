using System.Runtime.InteropServices;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Analysis;

/// <summary>
/// The k nearest other items of every item by an audit metric (the item itself excluded, ties by the lower index),
/// exactly as a float64 brute force would rank them, at the speed of a single-precision GEMM. Shared by the k-NN
/// probe, the mutual k-NN alignment and t-SNE's input similarities.
/// <para>
/// Why two precisions: the work is the n x n Gram matrix (O(n² d)); libtorch's float32 GEMM (MKL, already a
/// dependency) runs it several times faster than any float64 kernel, but its products can differ from float64's by up to
/// (d + 3) u |x| |y| (u = 2⁻²⁴; the standard bound, whatever the summation order). So each row is screened in float32:
/// its k-th smallest approximate key t is found, every item whose approximate key is within twice that bound of t is
/// a candidate (no item of the exact top k can lie outside it), and only the candidates are ranked on float64 distances
/// (<see cref="PairwiseDistances.Distance"/>). Candidates are usually k plus a few; in the worst case (all items equal)
/// all n, which costs what the float64 brute force costs.
/// </para>
/// Time O(n² d) in float32 plus O(n c d) in float64 for c candidates per row; memory O(n d) single-precision values
/// and one block of at most 16 Mi float32 Gram entries (64 MiB), never n x n.
/// </summary>
public static class NearestItems
{
    private const long BlockEntries = 16L << 20;

    /// <returns>n x k row-major neighbour indices, nearest first.</returns>
    public static int[] Of(EmbeddingMatrix x, int k, DistanceMetric metric, CancellationToken cancellationToken = default) =>
        WithDistances(x, k, metric, cancellationToken).Indices;

    /// <returns>n x k row-major neighbour indices and their float64 distances, nearest first.</returns>
    public static (int[] Indices, double[] Distances) WithDistances(EmbeddingMatrix x, int k, DistanceMetric metric,
        CancellationToken cancellationToken = default) => Search(x, k, metric, BlockEntries, cancellationToken);

    /// <summary>As <see cref="WithDistances"/>, with <paramref name="blockEntries"/> Gram entries per block (tests make it small).</summary>
    internal static (int[] Indices, double[] Distances) Search(EmbeddingMatrix x, int k, DistanceMetric metric, long blockEntries,
        CancellationToken cancellationToken)
    {
        int n = x.Rows, d = x.Columns;
        Guard.Setting(k >= 1 && k <= n - 1, $"nearest items: k must be between 1 and n - 1 = {n - 1}, got {k}");
        var exact = new PairwiseDistances(x, metric);
        var indices = new int[(long)n * k];
        var distances = new double[(long)n * k];
        var screen = new Screen(exact);
        int blockRows = (int)Math.Clamp(blockEntries / Math.Max(n, 1), 1, n);
        var gram = new float[(long)blockRows * n];

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var single = empty([n, d], ScalarType.Float32);
        screen.WriteSingle(MemoryMarshal.Cast<byte, float>(single.bytes));
        var transposed = single.t();
        for (int start = 0; start < n; start += blockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(blockRows, n - start);
            using (var products = single.narrow(0, start, rows).mm(transposed))
                MemoryMarshal.Cast<byte, float>(products.bytes).CopyTo(gram);
            Parallel.For(0, rows, new ParallelOptions { CancellationToken = cancellationToken },
                () => new RowBuffers(k),
                (r, _, buffers) =>
                {
                    int i = start + r;
                    screen.Nearest(i, gram.AsSpan(r * n, n), k, buffers, indices.AsSpan(i * k, k), distances.AsSpan(i * k, k));
                    return buffers;
                }, _ => { });
        }
        return (indices, distances);
    }

    private sealed class RowBuffers(int k)
    {
        public readonly double[] Heap = new double[k];
        public readonly int[] HeapItems = new int[k];
        public List<double> CandidateDistances = new(4 * k);
        public List<int> Candidates = new(4 * k);
    }

    /// <summary>The float32 copy of the rows, the approximate keys and their error bounds.</summary>
    private sealed class Screen
    {
        private readonly PairwiseDistances _exact;
        private readonly double _scale;      // the float32 rows are the float64 ones times this power of two
        private readonly double _keyError;   // |approximate key - float64 key| <= _keyError |x_i| max_j |x_j| (times 2 for euclidean)
        private readonly double _maxNorm;
        private readonly double[] _norms;

        public Screen(PairwiseDistances exact)
        {
            _exact = exact;
            int n = exact.Count, d = exact.Dimension;
            var rows = exact.PreparedRows;
            double max = rows.Length == 0 ? 0 : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(rows));
            // An exact power of two brings the largest value to [1, 2): no float32 overflow, every digit kept.
            _scale = max > 0 ? Math.ScaleB(1.0, -Math.ILogB(max)) : 1;
            _norms = new double[n];
            for (int i = 0; i < n; i++)
            {
                var row = rows.AsSpan(i * d, d);
                _norms[i] = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            }
            _maxNorm = n == 0 ? 0 : _norms.Max();
            const double u = 1.0 / (1 << 24);
            // (d + 3) u covers the float32 rounding of both inputs and the GEMM's sums in any order; d 2⁻⁵² the float64
            // reference's own rounding; 1.05 the rounding of these bounds. Values flushed to zero (below 2⁻¹²⁶ after
            // scaling) add at most 5 d 2⁻¹²⁶ to a scaled product.
            _keyError = 1.05 * ((d + 3) * u + d * Math.ScaleB(1.0, -52));
            _flushError = 1.05 * 5 * d * Math.ScaleB(1.0, -126) / (_scale * _scale);
        }

        private readonly double _flushError;

        public void WriteSingle(Span<float> dest)
        {
            var rows = _exact.PreparedRows;
            for (long t = 0; t < rows.Length; t++) dest[(int)t] = (float)(rows[t] * _scale);
        }

        /// <summary>The approximate key of (i, j) from the float32 product: ordered like the distance.</summary>
        private double Key(int i, int j, float product)
        {
            double dot = product / (_scale * _scale);
            return _exact.Metric == DistanceMetric.Cosine ? 1.0 - dot : _exact.SquaredNorm(i) + _exact.SquaredNorm(j) - 2.0 * dot;
        }

        public void Nearest(int i, ReadOnlySpan<float> products, int k, RowBuffers b, Span<int> outIndices, Span<double> outDistances)
        {
            int n = products.Length;
            // The k smallest approximate keys (a bounded max-heap); t is the k-th.
            int m = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double key = Key(i, j, products[j]);
                if (m < k) { b.Heap[m] = key; SiftUp(b.Heap, m); m++; }
                else if (key < b.Heap[0]) { b.Heap[0] = key; SiftDown(b.Heap, 0, m); }
            }
            double t = b.Heap[0];
            double error = _keyError * _norms[i] * _maxNorm + _flushError;
            if (_exact.Metric == DistanceMetric.Euclidean) error *= 2;
            // Keys below 0 are clamped to distance 0 (and cosine's above 2 to 2): ties that may rank by index.
            double threshold = Math.Max(t, 0.0) + 2 * error;
            bool all = _exact.Metric == DistanceMetric.Cosine && threshold >= 2.0 - 2 * error;
            b.Candidates.Clear();
            b.CandidateDistances.Clear();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                if (!all && Key(i, j, products[j]) > threshold) continue;
                b.Candidates.Add(j);
                b.CandidateDistances.Add(_exact.Distance(i, j));
            }
            var items = CollectionsMarshal.AsSpan(b.Candidates);
            var keys = CollectionsMarshal.AsSpan(b.CandidateDistances);
            SmallestFirst.Sort(keys, items);
            keys[..k].CopyTo(outDistances);
            items[..k].CopyTo(outIndices);
        }

        private static void SiftUp(double[] heap, int c)
        {
            while (c > 0)
            {
                int p = (c - 1) / 2;
                if (heap[p] >= heap[c]) break;
                (heap[p], heap[c]) = (heap[c], heap[p]);
                c = p;
            }
        }

        private static void SiftDown(double[] heap, int p, int m)
        {
            while (true)
            {
                int l = 2 * p + 1, r = l + 1, big = p;
                if (l < m && heap[l] > heap[big]) big = l;
                if (r < m && heap[r] > heap[big]) big = r;
                if (big == p) return;
                (heap[p], heap[big]) = (heap[big], heap[p]);
                p = big;
            }
        }
    }
}
