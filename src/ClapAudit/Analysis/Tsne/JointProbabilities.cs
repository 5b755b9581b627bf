namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// The input similarities P of t-SNE as scikit-learn 1.2 builds them: a binary search per point for the
/// Gaussian precision whose conditional distribution over its neighbours has the wanted perplexity
/// (<c>_utils._binary_search_perplexity</c>: 100 steps, tolerance 1e-5 on the entropy in nats),
/// then P = (P_cond + P_cond^T) / sum, kept sparse (CSR). Memory O(n x k).
/// </summary>
internal sealed class JointProbabilities
{
    /// <summary>CSR row starts (n + 1), column indices and values of the symmetric P, which sums to 1.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    public int[] RowStart { get; }
    public int[] Columns { get; }
    public double[] Values { get; }

    private JointProbabilities(int[] rowStart, int[] columns, double[] values)
    {
        RowStart = rowStart; Columns = columns; Values = values;
    }

    /// <summary>P from each of the n points' k neighbours (n x k indices) and the squared distances to them.</summary>
    public static JointProbabilities Build(int[] neighbors, double[] sqDistances, int n, int k, double perplexity)
    {
        var cond = ConditionalProbabilities(sqDistances, n, k, perplexity);

        // Count entries per row of P_cond + P_cond^T, then fill and merge duplicates.
        var count = new int[n];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < k; t++) { count[i]++; count[neighbors[i * k + t]]++; }
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + count[i];
        var cols = new int[start[n]];
        var vals = new double[start[n]];
        var fill = (int[])start[..n].Clone();
        for (int i = 0; i < n; i++)
            for (int t = 0; t < k; t++)
            {
                int j = neighbors[i * k + t];
                double p = cond[i * k + t];
                cols[fill[i]] = j; vals[fill[i]++] = p;
                cols[fill[j]] = i; vals[fill[j]++] = p;
            }

        var outStart = new int[n + 1];
        var outCols = new List<int>(start[n]);
        var outVals = new List<double>(start[n]);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            var c = cols.AsSpan(start[i], count[i]);
            var v = vals.AsSpan(start[i], count[i]);
            c.Sort(v);
            for (int t = 0; t < c.Length; t++)
            {
                if (t > 0 && c[t] == c[t - 1]) { outVals[^1] += v[t]; }
                else { outCols.Add(c[t]); outVals.Add(v[t]); }
                sum += v[t];
            }
            outStart[i + 1] = outCols.Count;
        }
        sum = Math.Max(sum, MachineEpsilon);
        var values = outVals.ToArray();
        for (int t = 0; t < values.Length; t++) values[t] /= sum;
        return new JointProbabilities(outStart, outCols.ToArray(), values);
    }

    /// <summary>Row-wise conditional probabilities p_j|i over each point's k neighbours (n x k).</summary>
    internal static double[] ConditionalProbabilities(double[] sqDistances, int n, int k, double perplexity)
    {
        const int steps = 100;
        const double tolerance = 1e-5;
        double desiredEntropy = Math.Log(perplexity);
        var p = new double[(long)n * k];
        Parallel.For(0, n, i =>
        {
            var d = sqDistances.AsSpan(i * k, k);
            var row = p.AsSpan(i * k, k);
            double beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
            for (int step = 0; step < steps; step++)
            {
                double sumP = 0;
                for (int j = 0; j < k; j++) { row[j] = Math.Exp(-d[j] * beta); sumP += row[j]; }
                if (sumP == 0) sumP = 1e-8;
                double sumDistP = 0;
                for (int j = 0; j < k; j++) { row[j] /= sumP; sumDistP += d[j] * row[j]; }
                double entropyDiff = Math.Log(sumP) + beta * sumDistP - desiredEntropy;
                if (Math.Abs(entropyDiff) <= tolerance) break;
                if (entropyDiff > 0)
                {
                    betaMin = beta;
                    beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
                }
                else
                {
                    betaMax = beta;
                    beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
                }
            }
        });
        return p;
    }
}
