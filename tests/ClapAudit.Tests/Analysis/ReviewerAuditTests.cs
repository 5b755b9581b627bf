using System.Text.Json;
using ClapAudit.Analysis;
using ClapAudit.Evaluation;

namespace ClapAudit.Tests.Analysis;

/// <summary>
/// The reviewer's audit (issue 13) against independent references on tests/fixtures/audit (tools/make_audit_fixtures.py:
/// scikit-learn 1.2, SciPy 1.10, NumPy 1.24): probes, per-class view, per-fold zero-shot, alignment, rank correlation
/// and the permutation p-value.
/// </summary>
public class ReviewerAuditTests
{
    private static readonly Lazy<JsonElement> ExpectedJson = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("audit", "expected.json"))).RootElement);
    private static JsonElement Expected => ExpectedJson.Value;
    private static EmbeddingBundle Bundle() => EmbeddingBundle.Load(Fixtures.Path("audit", "folds"));

    [Theory]
    [InlineData("cosine")]
    [InlineData("euclidean")]
    public void KnnProbeEqualsScikitLearnsLeaveOneOutKNeighborsClassifier(string metric)
    {
        var b = Bundle();
        var m = DistanceMetrics.Parse(metric);
        var expected = Expected.GetProperty("knn").GetProperty(metric);
        // Discrete: the same votes give the same accuracy to the last bit.
        Assert.Equal(expected.GetProperty("audio").GetDouble(), KnnProbe.Score(b.Audio!, b.Labels, 5, m).Top1, 12);
        Assert.Equal(expected.GetProperty("audio_backbone").GetDouble(), KnnProbe.Score(b.AudioBackbone!, b.Labels, 5, m).Top1, 12);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public void TheAuditsSharedNeighbourListsGiveTheSameProbeAndMutualKnnAsTheRoutines(int k)
    {
        var b = Bundle();
        var audit = EmbeddingAudit.Run(b, new AuditOptions { ProbeK = k, Bootstrap = 0 });
        Assert.Equal(KnnProbe.Score(b.Audio!, b.Labels, k).Top1, audit.Probe.Knn.Audio!.Top1);
        Assert.Equal(KnnProbe.Score(b.AudioBackbone!, b.Labels, k).Top1, audit.Probe.Knn.AudioBackbone!.Top1);
        Assert.Equal(Alignment.MutualKnn(b.AudioBackbone!, b.Audio!), audit.Alignment.AudioBackboneVsAudio!.MutualKnn);
    }

    [Fact]
    public void WithoutTheLinearProbeTheKnnProbeStaysAndTheSkipIsListed()
    {
        var b = Bundle();
        var full = EmbeddingAudit.Run(b, new AuditOptions { Bootstrap = 0 });
        var audit = EmbeddingAudit.Run(b, new AuditOptions { Bootstrap = 0, LinearProbe = false });
        Assert.Equal(full.Probe.Knn.Audio!.Top1, audit.Probe.Knn.Audio!.Top1);
        Assert.Equal(full.Probe.Knn.AudioBackbone!.Top1, audit.Probe.Knn.AudioBackbone!.Top1);
        Assert.Null(audit.Probe.Linear.Audio);
        Assert.Null(audit.Probe.Linear.AudioBackbone);
        Assert.Null(audit.Probe.ZeroShotShare);
        Assert.Contains("probe.linear: --no-linear-probe", audit.Skipped);
        Assert.DoesNotContain(full.Skipped, s => s.StartsWith("probe.linear", StringComparison.Ordinal));
    }

    [Fact]
    public void KnnVoteTiesGoToTheLowestClassIndex()
    {
        // Item 0's two neighbours are one of class 2 and one of class 1: a tie, which class 1 wins (sklearn's mode).
        var x = new EmbeddingMatrix([0, 0, 1, 0, -1.1, 0, 10, 10, 10, 11, -10, -10], 6, 2);
        int[] labels = [0, 2, 1, 1, 2, 2];
        Assert.Equal(1, KnnProbe.Predict(x, labels, 2, DistanceMetric.Euclidean)[0]);
    }

    [Theory]
    [InlineData("audio")]
    [InlineData("audio_backbone")]
    public void LinearProbeIsWithinHalfAPercentOfScikitLearnsLogisticRegressionOnTheBundlesFolds(string rep)
    {
        var b = Bundle();
        var x = rep == "audio" ? b.Audio! : b.AudioBackbone!;
        var folds = LinearProbe.FoldsOf(b.Labels, b.Folds, seed: 0);
        var result = LinearProbe.Score(x, b.Labels, folds);
        var expected = Expected.GetProperty("linear").GetProperty(rep);
        Assert.Equal(5, result.Folds);
        // Measured: equal on every fold (pooled top-1 0.9267 and 0.6933 on both sides).
        Assert.True(Math.Abs(expected.GetProperty("top1").GetDouble() - result.Top1) <= 0.005,
            $"linear probe {result.Top1} vs scikit-learn {expected.GetProperty("top1").GetDouble()}");
        foreach (var f in expected.GetProperty("per_fold").EnumerateObject())
        {
            int fold = int.Parse(f.Name) - 1;
            var items = Enumerable.Range(0, b.ItemCount).Where(i => folds[i] == fold).ToArray();
            double acc = (double)items.Count(i => result.Predictions[i] == b.Labels[i]) / items.Length;
            Assert.True(Math.Abs(f.Value.GetDouble() - acc) <= 0.034, $"fold {f.Name}: {acc} vs {f.Value.GetDouble()}"); // one item of 30
        }
    }

    [Fact]
    public void StratifiedFoldsWithoutFoldsNpyAreSeededAndBalancedPerClass()
    {
        var b = Bundle();
        var folds = LinearProbe.FoldsOf(b.Labels, null, seed: 3);
        Assert.Equal(folds, LinearProbe.FoldsOf(b.Labels, null, seed: 3));
        Assert.NotEqual(folds, LinearProbe.FoldsOf(b.Labels, null, seed: 4));
        for (int c = 0; c < b.ClassCount; c++)
        {
            var perFold = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, b.ItemCount).Count(i => b.Labels[i] == c && folds[i] == f)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {c}: {string.Join(",", perFold)}");
        }
    }

    [Theory]
    [InlineData("cosine")]
    [InlineData("euclidean")]
    public void PerClassViewMatchesSilhouetteSamplesAndNumPysConfusions(string metric)
    {
        var b = Bundle();
        var audit = EmbeddingAudit.Run(b, new AuditOptions { Metric = DistanceMetrics.Parse(metric), Probes = false, Bootstrap = 0 });
        var expected = Expected.GetProperty("per_class").GetProperty(metric).EnumerateArray().ToList();
        Assert.Equal(expected.Count, audit.PerClass.Count);
        for (int c = 0; c < expected.Count; c++)
        {
            var e = expected[c];
            var a = audit.PerClass[c];
            Assert.Equal(e.GetProperty("index").GetInt32(), a.Index);
            Assert.Equal(b.ClassNames[c], a.Class);
            Assert.Equal(e.GetProperty("n").GetInt32(), a.N);
            Assert.Equal(e.GetProperty("top1").GetDouble(), a.Top1!.Value, 12);
            Assert.Equal(e.GetProperty("silhouette_audio").GetDouble(), a.SilhouetteAudio!.Value, 1e-9);
            var confused = e.GetProperty("confused_with");
            Assert.Equal(confused.ValueKind == JsonValueKind.Null ? null : b.ClassNames[confused.GetInt32()], a.ConfusedWith);
            Assert.Equal(b.ClassNames[e.GetProperty("text_neighbour").GetInt32()], a.TextNeighbour);
        }
    }

    [Fact]
    public void PerFoldZeroShotAndZeroShotShareFollowFromTheFolds()
    {
        var b = Bundle();
        var audit = EmbeddingAudit.Run(b, new AuditOptions { Bootstrap = 0 });
        Assert.Equal(Expected.GetProperty("zero_shot_top1").GetDouble(), audit.ZeroShot!.Top1, 12);
        var expected = Expected.GetProperty("per_fold_zero_shot").EnumerateObject().ToList();
        Assert.Equal(expected.Select(e => int.Parse(e.Name)), audit.PerFold!.Folds.Select(f => f.Fold));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Value.GetDouble(), audit.PerFold.Folds[i].Top1, 12);
        var values = expected.Select(e => e.Value.GetDouble()).ToArray();
        Assert.Equal(values.Average(), audit.PerFold.Mean, 12);
        Assert.Equal(Math.Sqrt(values.Average(v => (v - values.Average()) * (v - values.Average()))), audit.PerFold.Std, 12);
        Assert.Equal(audit.ZeroShot.Top1 / audit.Probe.Linear.Audio!.Top1, audit.Probe.ZeroShotShare!.Value, 12);
        Assert.Equal(Expected.GetProperty("knn").GetProperty("cosine").GetProperty("audio").GetDouble(), audit.Probe.Knn.Audio!.Top1, 12);
    }

    [Fact]
    public void LinearCkaEqualsTheNumPyFormulaOnItemsClassesAndClassMeans()
    {
        var audit = EmbeddingAudit.Run(Bundle(), new AuditOptions { Probes = false, Bootstrap = 0 });
        var cka = Expected.GetProperty("alignment").GetProperty("cka");
        // 1e-6: the Gram products are float32 within blocks of rows, summed in float64 (Alignment.LinearCka).
        Assert.Equal(cka.GetProperty("audio_backbone_vs_audio").GetDouble(), audit.Alignment.AudioBackboneVsAudio!.Cka, 1e-6);
        Assert.Equal(cka.GetProperty("text_backbone_vs_text").GetDouble(), audit.Alignment.TextBackboneVsText!.Cka, 1e-6);
        Assert.Equal(cka.GetProperty("audio_vs_text").GetDouble(), audit.Alignment.AudioVsText!.Cka, 1e-6);
        Assert.Null(audit.Alignment.AudioVsText.MutualKnn);
    }

    [Theory]
    [InlineData(300, 8, 5)]   // n (p + q) / 2 = 1950 > p² + q² + pq = 129: feature space
    [InlineData(30, 64, 48)]  // 1680 < 9472: item space
    public void LinearCkaInFeatureAndItemSpaceEqualsTheDirectFloat64Formula(int n, int p, int q)
    {
        var rng = new Random(n + p);
        var x = Enumerable.Range(0, n * p).Select(_ => rng.NextDouble() + 3).ToArray(); // off-centre: the centring matters
        var y = new double[n * q];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < q; j++) y[i * q + j] = x[i * p + j % p] * (j + 1) + rng.NextDouble();
        // ||Yᵀ X||²_F / (||Xᵀ X||_F ||Yᵀ Y||_F) on centred columns, plain float64 loops.
        double[] Centred(double[] m, int d)
        {
            var c = (double[])m.Clone();
            for (int j = 0; j < d; j++)
            {
                double mean = Enumerable.Range(0, n).Average(i => m[i * d + j]);
                for (int i = 0; i < n; i++) c[i * d + j] -= mean;
            }
            return c;
        }
        double Frob2(double[] a, int da, double[] b, int db)
        {
            double total = 0;
            for (int u = 0; u < da; u++)
                for (int v = 0; v < db; v++)
                {
                    double g = 0;
                    for (int i = 0; i < n; i++) g += a[i * da + u] * b[i * db + v];
                    total += g * g;
                }
            return total;
        }
        var (xc, yc) = (Centred(x, p), Centred(y, q));
        double expected = Frob2(yc, q, xc, p) / Math.Sqrt(Frob2(xc, p, xc, p) * Frob2(yc, q, yc, q));
        Assert.Equal(expected, Alignment.LinearCka(new EmbeddingMatrix(x, n, p), new EmbeddingMatrix(y, n, q)), 1e-6);
    }

    [Fact]
    public void LinearCkaIsOneForARotatedScaledCopyAndInvariantToOrthogonalMaps()
    {
        var rng = new Random(7);
        int n = 40, d = 5;
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble()).ToArray();
        // y = 3 x R with R a rotation in the first two coordinates: CKA(x, y) = 1.
        var y = new double[n * d];
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) y[i * d + j] = 3 * x[i * d + j];
            y[i * d] = 3 * (c * x[i * d] - s * x[i * d + 1]);
            y[i * d + 1] = 3 * (s * x[i * d] + c * x[i * d + 1]);
        }
        Assert.Equal(1.0, Alignment.LinearCka(new EmbeddingMatrix(x, n, d), new EmbeddingMatrix(y, n, d)), 1e-6); // float32 products
    }

    [Theory]
    [InlineData("cosine")]
    [InlineData("euclidean")]
    public void MutualKnnEqualsTheNumPyReference(string metric)
    {
        var b = Bundle();
        double expected = Expected.GetProperty("alignment").GetProperty("mutual_knn").GetProperty(metric).GetDouble();
        Assert.Equal(expected, Alignment.MutualKnn(b.AudioBackbone!, b.Audio!, 10, DistanceMetrics.Parse(metric)), 12);
    }

    [Theory]
    [InlineData("correlation")]
    [InlineData("correlation8")]
    public void SpearmanEqualsSciPyAndThePermutationPEqualsExactEnumeration(string key)
    {
        var e = Expected.GetProperty(key);
        var x = AnalysisFixtures.Doubles(e.GetProperty("x"));
        var y = AnalysisFixtures.Doubles(e.GetProperty("y"));
        Assert.Equal(e.GetProperty("spearman").GetDouble(), RankCorrelation.Spearman(x, y), 1e-12);
        Assert.Equal(e.GetProperty("p_permutation").GetDouble(), RankCorrelation.PermutationP(x, y), 1e-12);
    }

    [Fact]
    public void MonteCarloPermutationPIsSeededAndNearTheExactValue()
    {
        // n = 9 is Monte Carlo; its p must be within 3 standard errors of the exact value (by enumeration here).
        double[] x = [0.1, 0.4, 0.35, 0.8, 0.5, 0.2, 0.9, 0.65, 0.3];
        double[] y = [0.3, 0.2, 0.5, 0.7, 0.4, 0.1, 0.6, 0.8, 0.45];
        double p = RankCorrelation.PermutationP(x, y, seed: 1);
        Assert.Equal(p, RankCorrelation.PermutationP(x, y, seed: 1));
        double exact = ExactByEnumeration(x, y);
        double se = Math.Sqrt(exact * (1 - exact) / RankCorrelation.MonteCarloDraws);
        Assert.True(Math.Abs(p - exact) <= 3 * se + 1e-5, $"Monte Carlo p {p} vs exact {exact} (se {se})");
    }

    private static double ExactByEnumeration(double[] x, double[] y)
    {
        double r0 = Math.Abs(PearsonCorrelation.Compute(x, y).Rho);
        long hits = 0, total = 0;
        void Recurse(int[] perm, bool[] used, int depth)
        {
            if (depth == perm.Length)
            {
                total++;
                if (Math.Abs(PearsonCorrelation.Compute(x, perm.Select(i => y[i]).ToArray()).Rho) >= r0 - 1e-12) hits++;
                return;
            }
            for (int i = 0; i < perm.Length; i++)
            {
                if (used[i]) continue;
                used[i] = true; perm[depth] = i;
                Recurse(perm, used, depth + 1);
                used[i] = false;
            }
        }
        Recurse(new int[x.Length], new bool[x.Length], 0);
        return (double)hits / total;
    }

    [Fact]
    public void BootstrapIntervalsAreSeededOrderedAndHoldTheEstimate()
    {
        var b = Bundle();
        var a1 = EmbeddingAudit.Run(b, new AuditOptions { Probes = false, Seed = 2 });
        var a2 = EmbeddingAudit.Run(b, new AuditOptions { Probes = false, Seed = 2 });
        Assert.Equal(a1.Ci!.Top1, a2.Ci!.Top1);
        Assert.Equal(1000, a1.Ci.Resamples);
        foreach (var (interval, estimate) in new[] { (a1.Ci.Top1!, a1.ZeroShot!.Top1), (a1.Ci.SilhouetteAudio!, a1.Silhouette.Audio!.Value),
                     (a1.Ci.SilhouetteAudioBackbone!, a1.Silhouette.AudioBackbone!.Value) })
        {
            Assert.True(interval[0] <= estimate && estimate <= interval[1], $"[{interval[0]}, {interval[1]}] does not hold {estimate}");
            Assert.True(interval[1] - interval[0] > 0);
        }
        // The half-width of a mean of 0/1 hits is about 1.96 sqrt(p(1-p)/n) (stratification makes it a little smaller).
        double p = a1.ZeroShot.Top1, half = 1.96 * Math.Sqrt(p * (1 - p) / b.ItemCount);
        Assert.InRange((a1.Ci.Top1![1] - a1.Ci.Top1[0]) / 2, 0.5 * half, 1.3 * half);
    }

    [Fact]
    public void PercentileInterpolatesAsNumPy()
    {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925]
        Assert.Equal(1.075, Bootstrap.Percentile([4, 1, 3, 2], 2.5), 12);
        Assert.Equal(3.925, Bootstrap.Percentile([4, 1, 3, 2], 97.5), 12);
    }
}

public class LinearProbeObjectiveTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    public void GradientMatchesCentralFiniteDifferences(int d)
    {
        var rng = new Random(3);
        int n = 30, k = 4;
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var y = Enumerable.Range(0, n).Select(i => i % k).ToArray();
        using var f = new LinearProbe.Objective(x, y, n, d, k);
        var w = Enumerable.Range(0, k * (d + 1)).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var g = new double[w.Length];
        f.Evaluate(w, g);
        var scratch = new double[w.Length];
        for (int j = 0; j < w.Length; j++)
        {
            var wp = (double[])w.Clone(); wp[j] += 1e-6;
            var wm = (double[])w.Clone(); wm[j] -= 1e-6;
            double numeric = (f.Evaluate(wp, scratch) - f.Evaluate(wm, scratch)) / 2e-6;
            Assert.True(Math.Abs(numeric - g[j]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"d {d}, parameter {j}: analytic {g[j]}, numeric {numeric}");
        }
    }
}
