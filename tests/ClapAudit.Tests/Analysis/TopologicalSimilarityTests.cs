using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using FsCheck;
using FsCheck.Xunit;

namespace ClapAudit.Tests.Analysis;

public class TopologicalSimilarityTests
{
    public static TheoryData<string, string, string> Cases() => AnalysisFixtures.Cases("topology");

    [Theory]
    [MemberData(nameof(Cases))]
    public void AuditMatchesTheBruteForceReferenceWithin1e6(string bundleName, string metric, string comparison)
    {
        var audit = EmbeddingAudit.Run(AnalysisFixtures.Load(bundleName), new AuditOptions { Metric = DistanceMetrics.Parse(metric) });
        var expected = AnalysisFixtures.Bundle(bundleName).GetProperty("topology").GetProperty(metric).GetProperty(comparison);
        var actual = audit.Topology[comparison]!;
        var curve = AnalysisFixtures.Doubles(expected.GetProperty("curve"));
        var chance = AnalysisFixtures.Doubles(expected.GetProperty("chance"));
        Assert.Equal(curve.Length, actual.Curve.Length);
        for (int k = 0; k < curve.Length; k++)
        {
            Assert.Equal(curve[k], actual.Curve[k], 1e-6);
            Assert.Equal(chance[k], actual.Chance[k], 1e-12);
        }
        Assert.Equal(expected.GetProperty("s").GetDouble(), actual.S, 1e-6);
        Assert.Equal(expected.GetProperty("k").GetInt32(), actual.K);
        Assert.Equal(expected.GetProperty("s_adjusted").GetDouble(), actual.SAdjusted, 1e-6);
        Assert.Equal(expected.GetProperty("k_adjusted").GetInt32(), actual.KAdjusted);
        Assert.Equal(expected.GetProperty("m").GetInt32(), actual.Points);
    }

    [Fact]
    public void TiesAreBrokenByTheLowerIndexAndThePointItselfComesFirst()
    {
        // On a line: 0 at x=0, 1 at x=1, 2 at x=-1, 3 at x=5. From point 0, points 1 and 2 tie: 1 (lower index) wins.
        var p = new EmbeddingMatrix([0, 1, -1, 5], 4, 1);
        var orders = TopologicalSimilarity.NeighbourOrders(p, DistanceMetric.Euclidean);
        Assert.Equal([0, 1, 2, 3], orders[0]);
        Assert.Equal([1, 0, 2, 3], orders[1]);
        Assert.Equal([3, 1, 0, 2], orders[3]);
    }

    [Fact]
    public void HandComputedCurve()
    {
        // P on a line 0,1,2,3; Q swaps the roles of points 2 and 3 (0,1,3,2).
        var p = new EmbeddingMatrix([0, 1, 2, 3], 4, 1);
        var q = new EmbeddingMatrix([0, 1, 3, 2], 4, 1);
        var curve = TopologicalSimilarity.Curve(p, q, DistanceMetric.Euclidean);
        // k=1: always 1. k=2: N2 in P: {0,1},{1,0},{2,1},{3,2}; in Q: {0,1},{1,0},{2,3},{3,1} -> 1,1,1/2,1/2 -> 0.75.
        // k=3: P: {0,1,2},{1,0,2},{2,1,3},{3,2,1}; Q: {0,1,3},{1,0,3},{2,3,1},{3,1,2} -> 2/3,2/3,1,1 -> 5/6.
        Assert.Equal([1.0, 0.75, 5.0 / 6.0], curve, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void ChanceIsOneForKOneAndTheSizeOfTheCloud()
    {
        Assert.Equal(1.0, TopologicalSimilarity.Chance(1, 50));
        Assert.Equal(1.0, TopologicalSimilarity.Chance(50, 50), 12);
        Assert.Equal((1 + 9.0 * 9.0 / 49.0) / 10.0, TopologicalSimilarity.Chance(10, 50), 15);
    }

    [Fact]
    public void KMinBeyondTheCloudIsAClearError()
    {
        var p = new EmbeddingMatrix([0, 1, 2, 3], 4, 1);
        var e = Assert.Throws<ClapAuditException>(() => TopologicalSimilarity.Compare(p, p, DistanceMetric.Euclidean, kMin: 5, kMax: 10));
        Assert.Contains("k-min 5 exceeds m - 1 = 3", e.Message);
    }

    private static EmbeddingMatrix Cloud(int seed, int m = 12, int d = 4)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(Enumerable.Range(0, m * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray(), m, d);
    }

    [Property(MaxTest = 40)]
    public bool IdenticalCloudsHaveSkOfOneForEveryK(int seed, bool cosine)
    {
        var p = Cloud(seed);
        var curve = TopologicalSimilarity.Curve(p, p, cosine ? DistanceMetric.Cosine : DistanceMetric.Euclidean);
        return curve.All(s => Math.Abs(s - 1) < 1e-12);
    }

    [Property(MaxTest = 40)]
    public bool SimilarityIsSymmetricInPAndQ(int seed, bool cosine)
    {
        var p = Cloud(seed);
        var q = Cloud(seed ^ 0x5bd1e995);
        var metric = cosine ? DistanceMetric.Cosine : DistanceMetric.Euclidean;
        var a = TopologicalSimilarity.Curve(p, q, metric);
        var b = TopologicalSimilarity.Curve(q, p, metric);
        return a.Zip(b).All(t => Math.Abs(t.First - t.Second) < 1e-12);
    }
}
