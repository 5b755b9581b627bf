using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using FsCheck;
using FsCheck.Xunit;

namespace ClapAudit.Tests.Analysis;

public class SilhouetteTests
{
    public static TheoryData<string, string, string> Cases() => AnalysisFixtures.Cases("silhouette");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScikitLearnWithin1e6(string bundleName, string metric, string representation)
    {
        var bundle = AnalysisFixtures.Load(bundleName);
        var x = representation == "audio" ? bundle.Audio! : bundle.AudioBackbone!;
        double expected = AnalysisFixtures.Bundle(bundleName).GetProperty("silhouette").GetProperty(metric).GetProperty(representation).GetDouble();
        double actual = Silhouette.Score(x, bundle.Labels, DistanceMetrics.Parse(metric));
        Assert.Equal(expected, actual, 1e-6);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(7, true)]
    [InlineData(4096, true)]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(4096, false)]
    public void BlockSizeAndPassDoNotChangeTheScore(int blockSize, bool symmetric)
    {
        var bundle = AnalysisFixtures.Load("clusters");
        foreach (var metric in new[] { "cosine", "euclidean" })
        {
            double expected = AnalysisFixtures.Bundle("clusters").GetProperty("silhouette").GetProperty(metric).GetProperty("audio").GetDouble();
            var samples = Silhouette.Samples(bundle.Audio!, bundle.Labels, DistanceMetrics.Parse(metric), blockSize, symmetric, CancellationToken.None);
            Assert.Equal(expected, samples.Average(), 1e-6);
        }
    }

    [Theory]
    [InlineData(0, 40, 16, 3)]
    [InlineData(1, 300, 33, 7)]
    [InlineData(2, 97, 5, 40)]
    public void CosineClusterSumsEqualThePairwisePassIncludingZeroDuplicateAndHugeRows(int seed, int n, int d, int k)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        Array.Clear(values, 0, d);                                   // row 0: all zeros (distance 1 to everything)
        Array.Copy(values, 2 * d, values, 3 * d, d);                 // rows 2 and 3: duplicates (distance 0)
        for (int c = 0; c < d; c++) values[4 * d + c] *= 1e200;      // row 4: near overflow
        var x = new EmbeddingMatrix(values, n, d);
        var labels = Enumerable.Range(0, n).Select(i => (i * 7 + i / 3) % k).ToArray();
        var pairwise = Silhouette.Samples(x, labels, DistanceMetric.Cosine, 16, symmetric: true, CancellationToken.None, clusterSums: false);
        var sums = Silhouette.Samples(x, labels, DistanceMetric.Cosine, 16, symmetric: true, CancellationToken.None);
        double worst = pairwise.Zip(sums, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-12, $"cluster sums differ from the pairwise pass by {worst}");
    }

    [Fact]
    public void OneLabelIsAClearError()
    {
        var x = new EmbeddingMatrix([1, 0, 0, 1, 1, 1], 3, 2);
        var e = Assert.Throws<ClapAuditException>(() => Silhouette.Score(x, [4, 4, 4]));
        Assert.Contains("number of labels is 1", e.Message);
    }

    [Fact]
    public void AsManyLabelsAsItemsIsAClearError()
    {
        var x = new EmbeddingMatrix([1, 0, 0, 1, 1, 1], 3, 2);
        var e = Assert.Throws<ClapAuditException>(() => Silhouette.Score(x, [0, 1, 2]));
        Assert.Contains("valid values are 2 to n_samples - 1 = 2", e.Message);
    }

    [Fact]
    public void SingletonClusterItemsScoreZero()
    {
        // Three items: a pair of identical points and a singleton far away.
        var x = new EmbeddingMatrix([0, 0, 0, 0, 5, 0], 3, 2);
        var s = Silhouette.Samples(x, [0, 0, 1], DistanceMetric.Euclidean);
        Assert.Equal([1.0, 1.0, 0.0], s);
    }

    private static (EmbeddingMatrix X, int[] Labels) Random(int seed, int n = 24, int d = 5, int k = 4)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i % k).ToArray();
        return (new EmbeddingMatrix(values, n, d), labels);
    }

    /// <summary>
    /// The textbook definition, computed the slow way: s(i) = (b - a) / max(a, b) with a the mean distance to the
    /// rest of i's cluster and b the smallest mean distance to another cluster; 0 for a singleton cluster.
    /// </summary>
    private static double BruteForce(EmbeddingMatrix x, int[] labels, bool cosine)
    {
        double Distance(int i, int j)
        {
            double dot = 0, ni = 0, nj = 0, sq = 0;
            for (int c = 0; c < x.Columns; c++)
            {
                double u = x.Values[i * x.Columns + c], v = x.Values[j * x.Columns + c];
                dot += u * v; ni += u * u; nj += v * v; sq += (u - v) * (u - v);
            }
            return cosine ? 1 - dot / Math.Sqrt(ni * nj) : Math.Sqrt(sq);
        }
        var clusters = labels.Distinct().ToArray();
        double total = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            var own = Enumerable.Range(0, x.Rows).Where(j => j != i && labels[j] == labels[i]).ToList();
            if (own.Count == 0) continue;
            double a = own.Average(j => Distance(i, j));
            double b = clusters.Where(c => c != labels[i])
                .Min(c => Enumerable.Range(0, x.Rows).Where(j => labels[j] == c).Average(j => Distance(i, j)));
            total += (b - a) / Math.Max(a, b);
        }
        return total / x.Rows;
    }

    [Property(MaxTest = 40)]
    public bool ScoreEqualsTheTextbookDefinitionComputedTheSlowWay(int seed, bool cosine, PositiveInt clusters)
    {
        int k = 2 + clusters.Get % 5;
        var (x, _) = Random(seed, n: 23);
        // Uneven clusters (squares mod k: 0 and 1 always occur), some of them possibly singletons.
        var labels = Enumerable.Range(0, x.Rows).Select(i => i * i % k).ToArray();
        double expected = BruteForce(x, labels, cosine);
        double actual = Silhouette.Score(x, labels, cosine ? DistanceMetric.Cosine : DistanceMetric.Euclidean);
        return Math.Abs(expected - actual) < 1e-9;
    }

    [Property(MaxTest = 40)]
    public bool ScoreIsInvariantToRenamingLabels(int seed, PositiveInt offset)
    {
        var (x, labels) = Random(seed);
        var rename = new[] { 17, -3, 5, 1000 + offset.Get };  // any injective map of the four labels
        double a = Silhouette.Score(x, labels);
        double b = Silhouette.Score(x, labels.Select(l => rename[l]).ToArray());
        return Math.Abs(a - b) < 1e-12;
    }
}
