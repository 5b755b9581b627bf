#pragma warning disable CS1573 // only the parameters that need a word are documented
namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// Gradient of KL(P || Q) for t-SNE, dC/dy_i = c * sum_j (p_ij - q_ij) w_ij (y_i - y_j), with the
/// Student-t kernel w_ij = (1 + |y_i - y_j|^2 / dof)^(-(dof+1)/2), q_ij = w_ij / Z and c = 2 (dof + 1) / dof,
/// split as scikit-learn does into an attraction over the sparse P (O(nnz)) and a repulsion
/// sum_j w_ij^2 (y_i - y_j) / Z, either over all pairs (exact, O(n^2) time, O(n) memory), from a
/// Barnes-Hut tree (O(n log n)) or, in 2-D, by FFT-accelerated interpolation (<see cref="FftRepulsion"/>, O(n)). Points are processed in parallel; every per-point partial sum is
/// stored and reduced in index order, so results do not depend on thread scheduling.
/// </summary>
internal sealed class KlGradient
{
    private readonly JointProbabilities _p;
    private readonly int _n, _dims;
    private readonly double _dof, _squaredTheta;
    private readonly bool _exact;
    private readonly SpaceTree? _tree;
    private readonly FftRepulsion? _fft;
    private readonly double[] _repulsion, _sumW, _rowError;

    /// <summary>The gradient of P over an n-point map in <paramref name="dims"/> dimensions; <paramref name="method"/>
    /// is "exact", "barnes_hut" (opening angle <paramref name="angle"/>) or "fft" (2-D only).</summary>
    public KlGradient(JointProbabilities p, int n, int dims, string method, double angle)
    {
        _p = p; _n = n; _dims = dims; _exact = method == "exact";
        _dof = Math.Max(dims - 1, 1);
        _squaredTheta = angle * angle;
        _tree = method == "barnes_hut" ? new SpaceTree(dims) : null;
        _fft = method == "fft" ? new FftRepulsion(n) : null;
        _repulsion = new double[n * dims];
        _sumW = new double[n];
        _rowError = new double[n];
    }

    /// <summary>
    /// Writes the gradient at <paramref name="y"/> into <paramref name="grad"/> with P scaled by
    /// <paramref name="exaggeration"/>; returns sum p log(p / q) over P's entries when asked (else NaN).
    /// </summary>
    public double Evaluate(double[] y, double[] grad, double exaggeration, bool computeError, CancellationToken ct)
    {
        int n = _n, dims = _dims;
        _tree?.Build(y, n);
        var options = new ParallelOptions { CancellationToken = ct };
        if (_fft is not null) _fft.Evaluate(y, _repulsion, _sumW);
        else Parallel.For(0, (n + 63) / 64, options, b =>
        {
            Span<double> f = stackalloc double[3];
            for (int i = b * 64; i < Math.Min(n, b * 64 + 64); i++)
            {
                f.Clear();
                double z;
                if (_tree is not null) _tree.Repulsion(y.AsSpan(i * dims, dims), _squaredTheta, _dof, f[..dims], out z);
                else z = ExactRepulsion(y, i, f[..dims]);
                _sumW[i] = z;
                for (int a = 0; a < dims; a++) _repulsion[i * dims + a] = f[a];
            }
        });
        double sumW = 0;
        for (int i = 0; i < n; i++) sumW += _sumW[i];

        double c = 2.0 * (_dof + 1.0) / _dof;
        double exponent = -(_dof + 1) / 2;
        Parallel.For(0, (n + 63) / 64, options, b =>
        {
            Span<double> attraction = stackalloc double[3];
            for (int i = b * 64; i < Math.Min(n, b * 64 + 64); i++)
            {
                attraction.Clear();
                double error = 0;
                for (int t = _p.RowStart[i]; t < _p.RowStart[i + 1]; t++)
                {
                    int j = _p.Columns[t];
                    double d2 = 0;
                    for (int a = 0; a < dims; a++) { double u = y[i * dims + a] - y[j * dims + a]; d2 += u * u; }
                    double w = _dof == 1 ? 1.0 / (1.0 + d2) : Math.Pow(1.0 + d2 / _dof, exponent);
                    double pij = _p.Values[t] * exaggeration;
                    double pw = pij * w;
                    for (int a = 0; a < dims; a++) attraction[a] += pw * (y[i * dims + a] - y[j * dims + a]);
                    if (computeError && pij > 0) error += pij * Math.Log(pij / (w / sumW));
                }
                _rowError[i] = error;
                for (int a = 0; a < dims; a++)
                    grad[i * dims + a] = c * (attraction[a] - _repulsion[i * dims + a] / sumW);
            }
        });
        if (!computeError) return double.NaN;
        double kl = 0;
        for (int i = 0; i < n; i++) kl += _rowError[i];
        return kl;
    }

    private double ExactRepulsion(double[] y, int i, Span<double> force)
    {
        int dims = _dims;
        double z = 0, exponent = -(_dof + 1) / 2;
        for (int j = 0; j < _n; j++)
        {
            if (j == i) continue;
            double d2 = 0;
            for (int a = 0; a < dims; a++) { double u = y[i * dims + a] - y[j * dims + a]; d2 += u * u; }
            double w = _dof == 1 ? 1.0 / (1.0 + d2) : Math.Pow(1.0 + d2 / _dof, exponent);
            z += w;
            double ww = w * w;
            for (int a = 0; a < dims; a++) force[a] += ww * (y[i * dims + a] - y[j * dims + a]);
        }
        return z;
    }

    /// <summary>
    /// KL(P || Q) of the map with the exact normaliser Z over all pairs (O(n^2) time, O(n) memory),
    /// as scikit-learn's exact method reports it; Barnes-Hut's own Z is only an approximation.
    /// </summary>
    public double ExactKl(double[] y, CancellationToken ct)
    {
        int n = _n, dims = _dims;
        double exponent = -(_dof + 1) / 2;
        var options = new ParallelOptions { CancellationToken = ct };
        Parallel.For(0, n, options, i =>
        {
            double z = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double d2 = 0;
                for (int a = 0; a < dims; a++) { double u = y[i * dims + a] - y[j * dims + a]; d2 += u * u; }
                z += _dof == 1 ? 1.0 / (1.0 + d2) : Math.Pow(1.0 + d2 / _dof, exponent);
            }
            _sumW[i] = z;
        });
        double sumW = 0;
        for (int i = 0; i < n; i++) sumW += _sumW[i];
        double kl = 0;
        for (int i = 0; i < n; i++)
            for (int t = _p.RowStart[i]; t < _p.RowStart[i + 1]; t++)
            {
                int j = _p.Columns[t];
                double pij = _p.Values[t];
                if (pij <= 0) continue;
                double d2 = 0;
                for (int a = 0; a < dims; a++) { double u = y[i * dims + a] - y[j * dims + a]; d2 += u * u; }
                double w = _dof == 1 ? 1.0 / (1.0 + d2) : Math.Pow(1.0 + d2 / _dof, exponent);
                kl += pij * Math.Log(pij / (w / sumW));
            }
        return kl;
    }
}
