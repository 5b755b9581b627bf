using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// The repulsive half of the 2-D t-SNE gradient by FFT-accelerated interpolation (Linderman, Rachh, Hoskins,
/// Steinerberger and Kluger 2019, "Fast interpolation-based t-SNE", the method of FIt-SNE and openTSNE): the map's
/// bounding square is cut into boxes (at least <see cref="MinBoxes"/>, about one per unit of map width), each
/// with <see cref="NodesPerBox"/> x <see cref="NodesPerBox"/> equispaced nodes; every point spreads its charges
/// (1, y_x, y_y) onto the 9 nodes of its box with Lagrange weights; the kernels K1 = 1 / (1 + d²) and K2 = K1² act
/// on the regular node grid as a convolution, done by FFT on the zero-padded grid (libtorch's, float64); and the
/// node potentials are interpolated back. Per point i this gives sum_j K1 (so Z after taking out the self term 1)
/// and sum_j K2 (y_i - y_j) = y_i sum_j K2 - sum_j K2 y_j, the repulsion <see cref="KlGradient"/> needs.
/// Cost per evaluation O(n + G log G) with G = (3 x boxes)² nodes, against Barnes-Hut's O(n log n) with a large
/// constant; the interpolation error is about 1e-4 relative at these settings (openTSNE's defaults).
/// </summary>
internal sealed class FftRepulsion
{
    public const int NodesPerBox = 3;
    public const int MinBoxes = 50;
    /// <summary>Boxes per unit of map width (openTSNE's <c>ints_in_interval</c> = 1).</summary>
    private const double BoxesPerUnit = 1;

    private readonly int _n;
    private readonly int[] _box;        // per point: box index along x and y (2 per point)
    private readonly double[] _weights; // per point: 3 Lagrange weights along x, then 3 along y
    // The Lagrange basis on the equispaced nodes (k + 0.5) / 3 of a unit box: denominators prod_{m != k} (s_k - s_m).
    private static readonly double[] Nodes = [1.0 / 6, 0.5, 5.0 / 6];
    private static readonly double[] Denominators = Enumerable.Range(0, NodesPerBox)
        .Select(k => Enumerable.Range(0, NodesPerBox).Where(m => m != k).Aggregate(1.0, (a, m) => a * (Nodes[k] - Nodes[m]))).ToArray();

    public FftRepulsion(int n)
    {
        _n = n;
        _box = new int[2 * n];
        _weights = new double[6 * n];
    }

    /// <summary>Fills <paramref name="force"/> (n x 2) with sum_j K2_ij (y_i - y_j) and <paramref name="sumW"/> (n)
    /// with sum_{j != i} K1_ij.</summary>
    public void Evaluate(double[] y, double[] force, double[] sumW)
    {
        int n = _n;
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity, minY = minX, maxY = maxX;
        for (int i = 0; i < n; i++)
        {
            double px = y[2 * i], py = y[2 * i + 1];
            if (px < minX) minX = px;
            if (px > maxX) maxX = px;
            if (py < minY) minY = py;
            if (py > maxY) maxY = py;
        }
        double range = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-12);
        int boxes = Math.Max(MinBoxes, (int)Math.Ceiling(range * BoxesPerUnit));
        double width = range / boxes * (1 + 1e-9); // a hair wider, so the largest point falls inside the last box
        int m = boxes * NodesPerBox, padded = 2 * m;
        double h = width / NodesPerBox;

        // Charges on the node grid: channel 0 = 1, 1 = y_x, 2 = y_y.
        var charges = new double[3 * m * m];
        for (int i = 0; i < n; i++)
        {
            Locate(i, 0, (y[2 * i] - minX) / width, boxes);
            Locate(i, 1, (y[2 * i + 1] - minY) / width, boxes);
            int bx = _box[2 * i] * NodesPerBox, by = _box[2 * i + 1] * NodesPerBox;
            for (int kx = 0; kx < NodesPerBox; kx++)
                for (int ky = 0; ky < NodesPerBox; ky++)
                {
                    double w = _weights[6 * i + kx] * _weights[6 * i + 3 + ky];
                    int node = (bx + kx) * m + by + ky;
                    charges[node] += w;
                    charges[m * m + node] += w * y[2 * i];
                    charges[2 * m * m + node] += w * y[2 * i + 1];
                }
        }

        // Kernel values at every node offset, laid out circularly on the padded grid (offset u at u mod 2m).
        var k1 = new double[padded * padded];
        var k2 = new double[padded * padded];
        for (int u = -(m - 1); u <= m - 1; u++)
            for (int v = -(m - 1); v <= m - 1; v++)
            {
                double d2 = h * h * ((double)u * u + (double)v * v);
                double w = 1.0 / (1.0 + d2);
                int at = ((u + padded) % padded) * padded + (v + padded) % padded;
                k1[at] = w;
                k2[at] = w * w;
            }

        double[] potentials; // 4 x m x m: K1 * 1, K2 * 1, K2 * y_x, K2 * y_y
        using (NewDisposeScope())
        {
            var s = new long[] { padded, padded };
            var dimensions = new long[] { -2, -1 };
            using var c = tensor(charges, [3, m, m]);
            using var kernels = tensor(k1.Concat(k2).ToArray(), [2, padded, padded]);
            var kf = fft.rfft2(kernels, s, dimensions);
            var cf = fft.rfft2(c, s, dimensions);
            // (K1, 1), (K2, 1), (K2, y_x), (K2, y_y)
            var products = stack([kf[0] * cf[0], kf[1] * cf[0], kf[1] * cf[1], kf[1] * cf[2]]);
            var full = fft.irfft2(products, s, dimensions);
            using var cropped = full[TensorIndex.Colon, TensorIndex.Slice(0, m), TensorIndex.Slice(0, m)].contiguous();
            potentials = MemoryMarshal.Cast<byte, double>(cropped.bytes).ToArray();
        }

        int plane = m * m;
        for (int i = 0; i < n; i++)
        {
            int bx = _box[2 * i] * NodesPerBox, by = _box[2 * i + 1] * NodesPerBox;
            double p1 = 0, p2 = 0, p3 = 0, p4 = 0;
            for (int kx = 0; kx < NodesPerBox; kx++)
                for (int ky = 0; ky < NodesPerBox; ky++)
                {
                    double w = _weights[6 * i + kx] * _weights[6 * i + 3 + ky];
                    int node = (bx + kx) * m + by + ky;
                    p1 += w * potentials[node];
                    p2 += w * potentials[plane + node];
                    p3 += w * potentials[2 * plane + node];
                    p4 += w * potentials[3 * plane + node];
                }
            sumW[i] = p1 - 1; // the point's own K1 = 1
            force[2 * i] = y[2 * i] * p2 - p3;
            force[2 * i + 1] = y[2 * i + 1] * p2 - p4;
        }
    }

    /// <summary>Box of point <paramref name="i"/> along <paramref name="axis"/> and its 3 Lagrange weights, from its
    /// position in box units.</summary>
    private void Locate(int i, int axis, double position, int boxes)
    {
        int b = Math.Clamp((int)Math.Floor(position), 0, boxes - 1);
        double t = position - b;
        _box[2 * i + axis] = b;
        for (int k = 0; k < NodesPerBox; k++)
        {
            double num = 1;
            for (int q = 0; q < NodesPerBox; q++)
                if (q != k) num *= t - Nodes[q];
            _weights[6 * i + 3 * axis + k] = num / Denominators[k];
        }
    }
}
