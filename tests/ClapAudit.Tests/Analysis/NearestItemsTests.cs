using ClapAudit.Analysis;
using ClapAudit.Evaluation;

namespace ClapAudit.Tests.Analysis;

/// <summary>
/// The float32-screened search against the float64 brute force it must equal exactly (indices and distances), on the
/// inputs where a float32 screen could go wrong: near-ties closer than float32 resolves, duplicates, zero rows, values
/// near float64's range, antipodal points (cosine distance 2) and k = n - 1.
/// </summary>
public class NearestItemsTests
{
    /// <summary>The textbook search: every float64 distance, then (distance, index) order.</summary>
    private static (int[] Indices, double[] Distances) BruteForce(EmbeddingMatrix x, int k, DistanceMetric metric)
    {
        int n = x.Rows;
        var exact = new PairwiseDistances(x, metric);
        var indices = new int[n * k];
        var distances = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            var pairs = Enumerable.Range(0, n).Where(j => j != i).Select(j => (D: exact.Distance(i, j), J: j))
                .OrderBy(p => p.D).ThenBy(p => p.J).Take(k).ToArray();
            for (int t = 0; t < k; t++) { indices[i * k + t] = pairs[t].J; distances[i * k + t] = pairs[t].D; }
        }
        return (indices, distances);
    }

    private static void AssertSame(EmbeddingMatrix x, int k, DistanceMetric metric)
    {
        var (expectedIndices, expectedDistances) = BruteForce(x, k, metric);
        var (indices, distances) = NearestItems.WithDistances(x, k, metric);
        Assert.Equal(expectedIndices, indices);
        Assert.Equal(expectedDistances, distances);
    }

    /// <summary>Clusters of points that differ by 1e-9 (far below float32's 6e-8 resolution), with exact duplicates.</summary>
    private static EmbeddingMatrix NearTies(int n, int d, double scale, int seed)
    {
        var rng = new Random(seed);
        var centres = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5).ToArray()).ToArray();
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            var c = centres[i % 4];
            for (int t = 0; t < d; t++)
                values[i * d + t] = scale * (c[t] + (i % 3 == 0 ? 0 : 1e-9 * (rng.NextDouble() - 0.5)));
        }
        return new EmbeddingMatrix(values, n, d);
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine, 1.0)]
    [InlineData(DistanceMetric.Euclidean, 1.0)]
    [InlineData(DistanceMetric.Euclidean, 1e200)]
    [InlineData(DistanceMetric.Euclidean, 1e-200)]
    [InlineData(DistanceMetric.Cosine, 1e-200)]
    public void NearTiesAndDuplicatesRankAsInFloat64(DistanceMetric metric, double scale)
    {
        var x = NearTies(120, 48, scale, 3);
        AssertSame(x, 10, metric);
        AssertSame(x, 1, metric);
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void RandomDataEveryKUpToNMinusOne(DistanceMetric metric)
    {
        var rng = new Random(11);
        int n = 40, d = 300;
        var x = new EmbeddingMatrix(Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() - 0.3).ToArray(), n, d);
        foreach (int k in new[] { 1, 5, 20, n - 1 }) AssertSame(x, k, metric);
    }

    [Fact]
    public void ZeroRowsAndAntipodalPointsUnderCosine()
    {
        // Rows 0-2 are zero (distance 1 to everything), 3/4 and 5/6 antipodal pairs (distance 2), 7 a duplicate of 3.
        int d = 5;
        double[][] rows =
        [
            [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0],
            [1, 2, 3, 4, 5], [-1, -2, -3, -4, -5], [0, 1, 0, 0, 0], [0, -1, 0, 0, 0], [1, 2, 3, 4, 5],
        ];
        var x = new EmbeddingMatrix(rows.SelectMany(r => r).ToArray(), rows.Length, d);
        foreach (int k in new[] { 1, 3, 6, 7 }) AssertSame(x, k, DistanceMetric.Cosine);
    }

    [Fact]
    public void BlocksOfRowsCoverTheMatrix()
    {
        // 1,500 items of 64-d in Gram blocks of 7 rows (the last one short), as 50,000 items are in the default 64 MiB.
        var x = NearTies(1500, 64, 1.0, 7);
        var (expected, expectedDistances) = BruteForce(x, 10, DistanceMetric.Cosine);
        var (indices, distances) = NearestItems.Search(x, 10, DistanceMetric.Cosine, 7 * 1500, default);
        Assert.Equal(expected, indices);
        Assert.Equal(expectedDistances, distances);
    }
}
