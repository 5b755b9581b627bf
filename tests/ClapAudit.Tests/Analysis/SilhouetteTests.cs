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

    [Property(MaxTest = 40)]
    public bool ScoreLiesBetweenMinusOneAndOne(int seed, bool cosine)
    {
        var (x, labels) = Random(seed);
        double s = Silhouette.Score(x, labels, cosine ? DistanceMetric.Cosine : DistanceMetric.Euclidean);
        return s >= -1 && s <= 1;
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
