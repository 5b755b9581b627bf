using ClapAudit.Analysis;
using ClapAudit.Evaluation;

namespace ClapAudit.Tests.Analysis;

public class PairwiseDistancesTests
{
    private static double[] RandomValues(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    [Theory]
    [InlineData(7, 5, 13)]   // rows not a multiple of 4, odd columns, d not a multiple of the vector width
    [InlineData(9, 31, 3)]   // d below the vector width: the scalar fallback
    [InlineData(12, 50, 64)] // more columns than one L2 panel
    public void GramKernelEqualsPlainDotProducts(int aRows, int bRows, int d)
    {
        var a = RandomValues(aRows * d, 1);
        var b = RandomValues(bRows * d, 2);
        var dest = new double[aRows * bRows];
        GramKernel.Dots(a, aRows, b, bRows, d, dest);
        for (int i = 0; i < aRows; i++)
            for (int j = 0; j < bRows; j++)
            {
                double expected = 0;
                for (int k = 0; k < d; k++) expected += a[i * d + k] * b[j * d + k];
                Assert.Equal(expected, dest[i * bRows + j], 1e-12);
            }
    }

    [Fact]
    public void TilesMatchTheDefinitionsAndTheEuclideanDiagonalIsZero()
    {
        int n = 11, d = 6;
        var x = new EmbeddingMatrix(RandomValues(n * d, 3), n, d);
        var euclidean = new double[4 * 7];
        new PairwiseDistances(x, DistanceMetric.Euclidean).Tile(3, 4, 2, 7, euclidean);
        var cosine = new double[4 * 7];
        new PairwiseDistances(x, DistanceMetric.Cosine).Tile(3, 4, 2, 7, cosine);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 7; c++)
            {
                var p = x.Row(3 + r);
                var q = x.Row(2 + c);
                double dot = 0, pp = 0, qq = 0, sq = 0;
                for (int k = 0; k < d; k++) { dot += p[k] * q[k]; pp += p[k] * p[k]; qq += q[k] * q[k]; sq += (p[k] - q[k]) * (p[k] - q[k]); }
                Assert.Equal(Math.Sqrt(sq), euclidean[r * 7 + c], 1e-9);
                Assert.Equal(1 - dot / Math.Sqrt(pp * qq), cosine[r * 7 + c], 1e-12);
                if (3 + r == 2 + c) Assert.Equal(0.0, euclidean[r * 7 + c]);
            }
    }

    [Fact]
    public void HugeValuesWhoseLargestMagnitudeIsNegativeGiveTheDistancesOfTheScaledRows()
    {
        // The largest |value| is negative: the overflow paths must scale by its magnitude, not by its signed value.
        double[] small = [-1, 0.1, -1, 0.2, 1, 0, 0.5, -0.3];
        var huge = new EmbeddingMatrix(small.Select(v => v * 1e200).ToArray(), 4, 2);
        var unit = new EmbeddingMatrix(small, 4, 2);
        foreach (var metric in new[] { DistanceMetric.Cosine, DistanceMetric.Euclidean })
        {
            var a = new double[16];
            var b = new double[16];
            new PairwiseDistances(huge, metric).Block(0, 4, a);
            new PairwiseDistances(unit, metric).Block(0, 4, b);
            for (int t = 0; t < 16; t++)
                Assert.Equal(metric == DistanceMetric.Cosine ? b[t] : b[t] * 1e200, a[t], metric == DistanceMetric.Cosine ? 1e-12 : 1e188);
        }
    }
}
