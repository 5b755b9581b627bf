using ClapAudit.Analysis;
using ClapAudit.Analysis.Tsne;

namespace ClapAudit.Tests.Analysis.Tsne;

/// <summary>The Barnes-Hut tree against the all-pairs sum it approximates.</summary>
public class KlGradientTests
{
    private static (JointProbabilities P, double[] Y) Problem(int n, int dims)
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, n * 6).Select(_ => rng.NextDouble()).ToArray();
        int k = 20;
        var (idx, dist) = NearestItems.WithDistances(new ClapAudit.Evaluation.EmbeddingMatrix(x, n, 6), k, DistanceMetric.Euclidean);
        for (int t = 0; t < dist.Length; t++) dist[t] *= dist[t];
        var p = JointProbabilities.Build(idx, dist, n, k, 8);
        var y = Enumerable.Range(0, n * dims).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        return (p, y);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void AngleZeroTreeGivesTheExactGradientAndKL(int dims)
    {
        var (p, y) = Problem(150, dims);
        var exact = new double[y.Length];
        var tree = new double[y.Length];
        double klExact = new KlGradient(p, 150, dims, "exact", 0.5).Evaluate(y, exact, 1, true, default);
        double klTree = new KlGradient(p, 150, dims, "barnes_hut", 0.0).Evaluate(y, tree, 1, true, default);
        for (int t = 0; t < y.Length; t++) Assert.Equal(exact[t], tree[t], 1e-10);
        Assert.Equal(klExact, klTree, 1e-10);
    }

    [Fact]
    public void AngleHalfTreeStaysCloseToTheExactGradient()
    {
        var (p, y) = Problem(300, 2);
        double error = RelativeErrorAgainstExact(p, y, "barnes_hut");
        Assert.True(error < 0.05, $"relative gradient error {error:E2}");
    }

    /// <summary>|g - g_exact| / |g_exact| of <paramref name="method"/>'s gradient of P at the 2-D map y.</summary>
    private static double RelativeErrorAgainstExact(JointProbabilities p, double[] y, string method)
    {
        int n = y.Length / 2;
        var exact = new double[y.Length];
        var approx = new double[y.Length];
        new KlGradient(p, n, 2, "exact", 0.5).Evaluate(y, exact, 1, false, default);
        new KlGradient(p, n, 2, method, 0.5).Evaluate(y, approx, 1, false, default);
        double err = 0, norm = 0;
        for (int t = 0; t < y.Length; t++) { err += (exact[t] - approx[t]) * (exact[t] - approx[t]); norm += exact[t] * exact[t]; }
        return Math.Sqrt(err / norm);
    }

    /// <summary>A map as t-SNE makes them: 10 clusters of std <paramref name="spread"/> / 20 around centres
    /// spread over +-<paramref name="spread"/>.</summary>
    private static double[] ClusteredMap(int n, double spread)
    {
        var rng = new Random(9);
        var centres = Enumerable.Range(0, 20).Select(_ => (rng.NextDouble() * 2 - 1) * spread).ToArray();
        var y = new double[2 * n];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < 2; a++)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                y[2 * i + a] = centres[2 * (i % 10) + a] + g * spread / 20;
            }
        return y;
    }

    [Theory]
    [InlineData(0.001)]   // a freshly initialised map (PCA scaled to std 1e-4: the minimum 50 boxes)
    [InlineData(5.0)]     // a spread map
    [InlineData(60.0)]    // a late map, wider than the minimum grid (more boxes)
    public void FftInterpolationStaysCloseToTheExactGradient(double spread)
    {
        var (p, _) = Problem(400, 2);
        double error = RelativeErrorAgainstExact(p, ClusteredMap(400, spread), "fft");
        // openTSNE's settings (3 nodes per box, about a box per unit). Measured: 1.4e-15, 2.5e-4 and 4.1e-2 at the
        // three spreads, where Barnes-Hut at angle 0.5 gives 1.3e-7, 8.8e-3 and 1.2e-2; both are held to 0.05, as
        // the tree is in AngleHalfTreeStaysCloseToTheExactGradient, and the maps to sklearn's trustworthiness.
        Assert.True(error < 0.05, $"relative gradient error {error:E2} at spread {spread}");
    }

    [Fact]
    public void PIsSymmetricAndSumsToOne()
    {
        var (p, _) = Problem(150, 2);
        Assert.Equal(1.0, p.Values.Sum(), 1e-12);
        var map = new Dictionary<(int, int), double>();
        for (int i = 0; i < 150; i++)
            for (int t = p.RowStart[i]; t < p.RowStart[i + 1]; t++) map[(i, p.Columns[t])] = p.Values[t];
        foreach (var ((i, j), v) in map) Assert.Equal(v, map[(j, i)], 15);
    }

    [Fact]
    public void PerplexitySearchHitsTheWantedEntropy()
    {
        var rng = new Random(9);
        int n = 100, k = 40;
        var d2 = Enumerable.Range(0, n * k).Select(_ => rng.NextDouble() * 4).ToArray();
        var cond = JointProbabilities.ConditionalProbabilities(d2, n, k, 12);
        for (int i = 0; i < n; i++)
        {
            var row = cond.AsSpan(i * k, k);
            double sum = 0, entropy = 0;
            foreach (double v in row) { sum += v; if (v > 0) entropy -= v * Math.Log(v); }
            Assert.Equal(1.0, sum, 1e-12);
            Assert.Equal(Math.Log(12), entropy, 1e-5);
        }
    }
}
