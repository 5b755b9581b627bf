using System.Text.Json;
using ClapAudit.Analysis.Tsne;
using ClapAudit.Common;
using Xunit.Abstractions;

namespace ClapAudit.Tests.Analysis.Tsne;

/// <summary>
/// t-SNE and trustworthiness against scikit-learn 1.2.1 on the fixtures written by tools/make_tsne_fixtures.py.
/// </summary>
public class TsneTests(ITestOutputHelper output)
{
    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("tsne", "expected.json"))).RootElement;

    private static (double[] Data, int N, int D) Load(string name)
    {
        var a = NpyArray.Read(Fixtures.Path("tsne", name + ".npy"));
        return (a.ToDoubleArray(), a.Shape[0], a.Shape[1]);
    }

    [Theory]
    [InlineData("euclidean_5", "euclidean", 5)]
    [InlineData("euclidean_12", "euclidean", 12)]
    [InlineData("cosine_5", "cosine", 5)]
    public void TrustworthinessEqualsSklearnOnAFixedPair(string key, string metric, int k)
    {
        var (high, n, dh) = Load("trust_high");
        var (low, _, dl) = Load("trust_low");
        double expected = Expected.GetProperty("trustworthiness_pair").GetProperty(key).GetDouble();
        Assert.Equal(expected, Trustworthiness.Compute(high, low, n, dh, dl, k, metric), 1e-9);
        Assert.Equal(expected, ClapAudit.Analysis.Tsne.Tsne.Trustworthiness(high, low, n, dh, dl, k, metric), 1e-9);
    }

    [Theory]
    [InlineData("blobs300_euclidean")]
    [InlineData("blobs600_cosine")]
    [InlineData("blobs120_cosine_exact")]
    public void TrustworthinessOfSklearnsOwnMapEqualsItsRecordedValue(string name)
    {
        var (x, n, d) = Load(name);
        var (map, _, _) = Load(name + "_sklearn_map");
        var info = Expected.GetProperty("datasets").GetProperty(name);
        double t = Trustworthiness.Compute(x, map, n, d, 2, 5, info.GetProperty("metric").GetString()!);
        Assert.Equal(info.GetProperty("trustworthiness_5").GetDouble(), t, 1e-9);
    }

    [Fact]
    public void TrustworthinessRejectsTooManyNeighbours()
    {
        var ex = Assert.Throws<ClapAuditException>(() => Trustworthiness.Compute(new double[20], new double[20], 10, 2, 2, 5));
        Assert.Equal(ErrorKind.InvalidSetting, ex.Kind);
    }

    [Theory]
    [InlineData("blobs300_euclidean", "barnes_hut")]
    [InlineData("blobs450_euclidean", "barnes_hut")]
    [InlineData("blobs600_cosine", "barnes_hut")]
    [InlineData("blobs450_euclidean", "fft")]
    [InlineData("blobs600_cosine", "fft")]
    [InlineData("blobs120_cosine_exact", "exact")]
    public void MapIsAsTrustworthyAsSklearnsAndItsKLIsClose(string name, string method)
    {
        var (x, n, d) = Load(name);
        var info = Expected.GetProperty("datasets").GetProperty(name);
        string metric = info.GetProperty("metric").GetString()!;
        var result = ClapAudit.Analysis.Tsne.Tsne.Fit(x, n, d, new TsneOptions { Metric = metric, Method = method });

        Assert.Equal(n * 2, result.Embedding.Length);
        double t = Trustworthiness.Compute(x, result.Embedding, n, d, 2, 5, metric);
        double sklearnT = info.GetProperty("trustworthiness_5").GetDouble();
        output.WriteLine($"{name}: T {t:F4} (sklearn {sklearnT:F4}), KL {result.KlDivergence:F4} (sklearn {info.GetProperty("kl_divergence").GetDouble():F4}), iterations {result.Iterations}");
        Assert.True(t >= sklearnT - 0.02, $"trustworthiness {t:F4} vs scikit-learn {sklearnT:F4}");
        // KL of a map is not unique; require the same scale as scikit-learn's (within 15 %).
        double sklearnKl = info.GetProperty("kl_divergence").GetDouble();
        Assert.InRange(result.KlDivergence, 0, sklearnKl * 1.15);
        Assert.InRange(result.Iterations, 251, 1000);
    }

    [Fact]
    public void SameSeedGivesTheSameMapAndProgressCountsIterations()
    {
        var (x, n, d) = Load("blobs120_cosine_exact");
        var options = new TsneOptions { Iterations = 300, Method = "barnes_hut", Perplexity = 10 };
        var seen = new List<int>();
        var a = ClapAudit.Analysis.Tsne.Tsne.Fit(x, n, d, options, new SyncProgress(seen.Add));
        var b = ClapAudit.Analysis.Tsne.Tsne.Fit(x, n, d, options);
        Assert.Equal(a.Embedding, b.Embedding);
        Assert.Equal(a.KlDivergence, b.KlDivergence);
        Assert.Equal(Enumerable.Range(1, a.Iterations), seen);
    }

    [Fact]
    public void LearningRateAutoIsSklearns()
    {
        Assert.Equal(50, new TsneOptions().ResolvedLearningRate(1000));
        Assert.Equal(4000 / 12.0 / 4, new TsneOptions().ResolvedLearningRate(4000));
        Assert.Equal(7, new TsneOptions { LearningRate = 7 }.ResolvedLearningRate(2000));
        Assert.Equal("exact", new TsneOptions().ResolvedMethod(299));
        Assert.Equal("barnes_hut", new TsneOptions().ResolvedMethod(300));
    }

    [Theory]
    [InlineData(50.0, "cosine", "auto", 2, 1000)]
    [InlineData(30.0, "cityblock", "auto", 2, 1000)]
    [InlineData(30.0, "cosine", "fast", 2, 1000)]
    [InlineData(30.0, "cosine", "barnes_hut", 4, 1000)]
    [InlineData(30.0, "cosine", "fft", 3, 1000)]
    [InlineData(30.0, "cosine", "auto", 2, 100)]
    public void InvalidSettingsAreRejected(double perplexity, string metric, string method, int components, int iterations)
    {
        var options = new TsneOptions { Perplexity = perplexity, Metric = metric, Method = method, Components = components, Iterations = iterations };
        var ex = Assert.Throws<ClapAuditException>(() => ClapAudit.Analysis.Tsne.Tsne.Fit(new double[50 * 3], 50, 3, options));
        Assert.Equal(ErrorKind.InvalidSetting, ex.Kind);
    }

    [Fact]
    public void NonFiniteInputNamesTheRow()
    {
        var x = new double[40 * 3];
        x[7 * 3 + 1] = double.NaN;
        var ex = Assert.Throws<ClapAuditException>(() => ClapAudit.Analysis.Tsne.Tsne.Fit(x, 40, 3, new TsneOptions { Perplexity = 5 }));
        Assert.Equal(ErrorKind.NonFinite, ex.Kind);
        Assert.Contains("row 7", ex.Message);
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        var (x, n, d) = Load("blobs300_euclidean");
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(i => { if (i == 10) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ClapAudit.Analysis.Tsne.Tsne.Fit(x, n, d, new TsneOptions(), progress, cts.Token));
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
