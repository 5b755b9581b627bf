using ClapAudit.Common;
using MathNet.Numerics.Distributions;

namespace ClapAudit.Analysis;

/// <summary>Pearson's rho, its two-sided p-value and the number of pairs.</summary>
public sealed record PearsonResult(double Rho, double P, int N);

/// <summary>
/// Pearson correlation as <c>scipy.stats.pearsonr</c> (SciPy 1.10): rho from the centred, normalised
/// vectors, clipped to [-1, 1]; p = 2 P(T > |t|) with t = rho sqrt((n-2)/(1-rho²)) and n-2 degrees of freedom
/// (equal to SciPy's beta-distribution form). |rho| = 1 gives p = 0; n = 2 gives rho = ±1, p = 1;
/// a constant input gives NaN for both (SciPy warns and does the same). O(n).
/// </summary>
public static class PearsonCorrelation
{
    public static PearsonResult Compute(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        Guard.Match(y.Count == n, $"pearson: the inputs have {x.Count} and {y.Count} values");
        Guard.Data(n >= 2, $"pearson: needs at least 2 pairs, got {n}");
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ClapAuditException(ErrorKind.NonFinite, $"pearson: non-finite value at pair {i}");
        if (n == 2)
            return new PearsonResult(Math.Sign(x[1] - x[0]) * Math.Sign(y[1] - y[0]), 1.0, 2);

        double mx = x.Average(), my = y.Average();
        var xm = new double[n];
        var ym = new double[n];
        double nx = 0, ny = 0;
        for (int i = 0; i < n; i++)
        {
            xm[i] = x[i] - mx; ym[i] = y[i] - my;
            nx += xm[i] * xm[i]; ny += ym[i] * ym[i];
        }
        nx = Math.Sqrt(nx); ny = Math.Sqrt(ny);
        if (nx == 0 || ny == 0) return new PearsonResult(double.NaN, double.NaN, n);
        double r = 0;
        for (int i = 0; i < n; i++) r += (xm[i] / nx) * (ym[i] / ny);
        r = Math.Clamp(r, -1.0, 1.0);
        return new PearsonResult(r, PValue(r, n), n);
    }

    /// <summary>Two-sided p-value of rho under the null of no correlation, n pairs (n ≥ 3).</summary>
    public static double PValue(double rho, int n)
    {
        if (Math.Abs(rho) == 1.0) return 0.0;
        int dof = n - 2;
        // (1 - r)(1 + r) keeps precision near |r| = 1, where 1 - r² cancels.
        double t = Math.Abs(rho) * Math.Sqrt(dof / ((1 - rho) * (1 + rho)));
        return Math.Min(1.0, 2.0 * StudentT.CDF(0.0, 1.0, dof, -t));
    }
}
