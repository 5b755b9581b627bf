using System.Text.Json;
using ClapAudit.Tests.Analysis;

namespace ClapAudit.Tests.Cli;

public class AnalyzeCommandTests
{
    [Fact]
    public void JsonHoldsTheIssuesKeysWithReferenceValues()
    {
        using var dir = Fixtures.TempDir();
        string json = dir.File("out.json");
        var (code, output, err) = CliTestHost.Run(["analyze", .. AnalysisFixtures.GoodBundles.Select(AnalysisFixtures.BundlePath), "--json", json]);
        Assert.True(code == 0, err);
        Assert.Contains("zero-shot top-1", output);
        Assert.Contains("top1_vs_silhouette_audio", output);

        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        var bundles = root.GetProperty("bundles").EnumerateArray().ToList();
        Assert.Equal(3, bundles.Count);
        for (int i = 0; i < 3; i++)
        {
            var b = bundles[i];
            var expected = AnalysisFixtures.Bundle(AnalysisFixtures.GoodBundles[i]);
            Assert.Equal(AnalysisFixtures.BundlePath(AnalysisFixtures.GoodBundles[i]), b.GetProperty("path").GetString());
            Assert.Equal(expected.GetProperty("zero_shot").GetProperty("top1").GetDouble(), b.GetProperty("zero_shot").GetProperty("top1").GetDouble(), 12);
            Assert.Equal(expected.GetProperty("zero_shot").GetProperty("top5").GetDouble(), b.GetProperty("zero_shot").GetProperty("top5").GetDouble(), 12);
            foreach (var s in expected.GetProperty("silhouette").GetProperty("cosine").EnumerateObject())
                Assert.Equal(s.Value.GetDouble(), b.GetProperty("silhouette").GetProperty(s.Name).GetDouble(), 1e-6);
            foreach (var t in expected.GetProperty("topology").GetProperty("cosine").EnumerateObject())
            {
                var actual = b.GetProperty("topology").GetProperty(t.Name);
                Assert.Equal(t.Value.GetProperty("s").GetDouble(), actual.GetProperty("s").GetDouble(), 1e-6);
                Assert.Equal(t.Value.GetProperty("k").GetInt32(), actual.GetProperty("k").GetInt32());
                Assert.Equal(AnalysisFixtures.Doubles(t.Value.GetProperty("curve")), AnalysisFixtures.Doubles(actual.GetProperty("curve")),
                    (x, y) => Math.Abs(x - y) < 1e-6);
                Assert.Equal(t.Value.GetProperty("chance").GetArrayLength(), actual.GetProperty("chance_curve").GetArrayLength());
            }
            Assert.True(b.TryGetProperty("n_items", out _) && b.TryGetProperty("n_classes", out _) && b.TryGetProperty("tsne", out _));
        }
        Assert.Equal("clock tick", bundles[1].GetProperty("empty_classes")[0].GetString());
        Assert.Contains(bundles[1].GetProperty("skipped").EnumerateArray(), s => s.GetString()!.StartsWith("silhouette.audio_backbone"));

        foreach (var c in AnalysisFixtures.Expected.GetProperty("cli_correlations").EnumerateObject())
        {
            var actual = root.GetProperty("correlations").GetProperty(c.Name);
            Assert.Equal(c.Value.GetProperty("rho").GetDouble(), actual.GetProperty("rho").GetDouble(), 1e-9);
            Assert.Equal(c.Value.GetProperty("p").GetDouble(), actual.GetProperty("p").GetDouble(), 1e-9);
            Assert.Equal(3, actual.GetProperty("n").GetInt32());
        }
    }

    [Fact]
    public void EuclideanMetricGivesScikitLearnsEuclideanSilhouette()
    {
        var (code, output, err) = CliTestHost.Run("analyze", AnalysisFixtures.BundlePath("clusters"), "--metric", "euclidean", "--json", "-");
        Assert.True(code == 0, err);
        var root = JsonDocument.Parse(output).RootElement;
        double expected = AnalysisFixtures.Bundle("clusters").GetProperty("silhouette").GetProperty("euclidean").GetProperty("audio").GetDouble();
        Assert.Equal(expected, root.GetProperty("bundles")[0].GetProperty("silhouette").GetProperty("audio").GetDouble(), 1e-6);
        Assert.Contains("need at least 3 bundles", root.GetProperty("skipped")[0].GetString());
    }

    [Theory]
    [InlineData("bad_nan", 6, "audio.npy: NaN at row 17")]
    [InlineData("bad_label_range", 4, "outside classes.txt")]
    [InlineData("bad_length", 5, "19 labels")]
    [InlineData("bad_dim", 5, "dimension 5 differs")]
    [InlineData("bad_truncated", 4, "truncated")]
    [InlineData("bad_missing_audio", 3, "not found")]
    public void BadBundleExitsNonZeroWithOneLineNamingTheFile(string name, int exitCode, string message)
    {
        var (code, _, err) = CliTestHost.Run("analyze", AnalysisFixtures.BundlePath(name));
        Assert.Equal(exitCode, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(message, lines[0]);
        Assert.Contains(name, lines[0]);
    }

    [Fact]
    public void UnknownMetricIsAUsageError()
    {
        var (code, _, err) = CliTestHost.Run("analyze", AnalysisFixtures.BundlePath("clusters"), "--metric", "manhattan");
        Assert.Equal(2, code);
        Assert.Contains("manhattan", err);
    }

    [Fact]
    public void TsneWritesAMapPerRepresentationAndRelativePathsInTheJson()
    {
        using var dir = Fixtures.TempDir();
        var (code, output, err) = CliTestHost.Run("analyze", AnalysisFixtures.BundlePath("clusters"), "--tsne", dir.File("tsne"), "--json", dir.File("out.json"));
        Assert.True(code == 0, err);
        Assert.Contains("KL divergence", output);
        var tsne = JsonDocument.Parse(File.ReadAllText(dir.File("out.json"))).RootElement.GetProperty("bundles")[0].GetProperty("tsne");
        foreach (var (name, rows) in new[] { ("audio", 300), ("audio_backbone", 300), ("text", 10), ("text_backbone", 10) })
        {
            Assert.Equal($"tsne/{name}.csv", tsne.GetProperty(name).GetProperty("csv").GetString());
            var lines = File.ReadAllLines(dir.File($"tsne/{name}.csv"));
            Assert.Equal("x,y,label", lines[0]);
            Assert.Equal(rows + 1, lines.Length);
            Assert.True(File.Exists(dir.File($"tsne/{name}.png")) && File.Exists(dir.File($"tsne/{name}.svg")));
        }
    }
}
