using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// scikit-learn's t-SNE "pca" initialisation: the first principal-component scores (randomised subspace
/// iteration, as PCA(svd_solver="randomized") does), signs fixed as <c>svd_flip</c> does (the largest
/// |score| of each component is positive), then scaled so that component 1 has standard deviation 1e-4.
/// Time O(n d p x iterations) with p = components + 10; memory O((n + d) p).
/// </summary>
internal static class PcaInitialization
{
    private const int Oversampling = 10;
    private const int PowerIterations = 7; // scikit-learn's randomized_svd n_iter="auto" for few components

    public static double[] Compute(double[] data, int n, int d, int components, int seed)
    {
        var mean = new double[d];
        for (int i = 0; i < n; i++) TensorPrimitives.Add(mean, data.AsSpan(i * d, d), mean);
        TensorPrimitives.Divide(mean, n, mean);

        int p = Math.Min(components + Oversampling, Math.Min(n, d));
        var rng = new Random(seed);
        var q = new double[p * d]; // p basis vectors of length d, each contiguous
        for (int t = 0; t < q.Length; t++) q[t] = Gaussian(rng);
        Orthonormalize(q, p, d);

        var y = new double[n * p];
        for (int it = 0; it < PowerIterations; it++)
        {
            Project(data, mean, n, d, q, p, y);           // y = Xc q
            BackProject(data, mean, n, d, y, p, q);       // q = Xc^T y
            Orthonormalize(q, p, d);
        }
        Project(data, mean, n, d, q, p, y);

        // Rayleigh-Ritz: eigenvectors of the small p x p matrix y^T y give the principal directions in span(q).
        var m = Matrix<double>.Build.Dense(p, p);
        for (int a = 0; a < p; a++)
            for (int b = a; b < p; b++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += y[i * p + a] * y[i * p + b];
                m[a, b] = s; m[b, a] = s;
            }
        var evd = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var order = Enumerable.Range(0, p).OrderByDescending(t => evd.EigenValues[t].Real).ToArray();

        var scores = new double[n * components];
        for (int c = 0; c < components; c++)
        {
            int e = c < p ? order[c] : -1;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                if (e >= 0) for (int a = 0; a < p; a++) s += y[i * p + a] * evd.EigenVectors[a, e];
                scores[i * components + c] = s;
            }
            // svd_flip(u_based_decision=True): the entry of largest magnitude is made positive.
            int arg = 0;
            for (int i = 1; i < n; i++)
                if (Math.Abs(scores[i * components + c]) > Math.Abs(scores[arg * components + c])) arg = i;
            if (scores[arg * components + c] < 0)
                for (int i = 0; i < n; i++) scores[i * components + c] = -scores[i * components + c];
        }

        double mu = 0, variance = 0;
        for (int i = 0; i < n; i++) mu += scores[i * components];
        mu /= n;
        for (int i = 0; i < n; i++) { double t = scores[i * components] - mu; variance += t * t; }
        double std = Math.Sqrt(variance / n);
        double scale = std > 0 ? 1e-4 / std : 1.0;
        TensorPrimitives.Multiply(scores, scale, scores);
        return scores;
    }

    private static void Project(double[] data, double[] mean, int n, int d, double[] q, int p, double[] y)
    {
        var qMean = new double[p];
        for (int a = 0; a < p; a++) qMean[a] = TensorPrimitives.Dot(mean.AsSpan(), q.AsSpan(a * d, d));
        Parallel.For(0, n, i =>
        {
            var row = data.AsSpan(i * d, d);
            for (int a = 0; a < p; a++) y[i * p + a] = TensorPrimitives.Dot(row, q.AsSpan(a * d, d)) - qMean[a];
        });
    }

    private static void BackProject(double[] data, double[] mean, int n, int d, double[] y, int p, double[] q)
    {
        Parallel.For(0, p, a =>
        {
            var qa = q.AsSpan(a * d, d);
            qa.Clear();
            double ySum = 0;
            for (int i = 0; i < n; i++)
            {
                double w = y[i * p + a];
                ySum += w;
                TensorPrimitives.MultiplyAdd(data.AsSpan(i * d, d), w, qa, qa);
            }
            TensorPrimitives.MultiplyAdd(mean.AsSpan(), -ySum, qa, qa);
        });
    }

    /// <summary>Modified Gram-Schmidt, twice for stability; a vector that vanishes is left zero.</summary>
    private static void Orthonormalize(double[] q, int p, int d)
    {
        for (int pass = 0; pass < 2; pass++)
            for (int a = 0; a < p; a++)
            {
                var qa = q.AsSpan(a * d, d);
                for (int b = 0; b < a; b++)
                {
                    var qb = q.AsSpan(b * d, d);
                    TensorPrimitives.MultiplyAdd(qb, -TensorPrimitives.Dot(qa, qb), qa, qa);
                }
                double norm = Math.Sqrt(TensorPrimitives.Dot(qa, qa));
                if (norm > 1e-300) TensorPrimitives.Divide(qa, norm, qa); else qa.Clear();
            }
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
