using System.Text.Json;
using ClapAudit.Evaluation;

namespace ClapAudit.Tests.Analysis;

/// <summary>The bundles and reference values written by tools/make_analysis_fixtures.py (sklearn, scipy, numpy).</summary>
public static class AnalysisFixtures
{
    private static readonly Lazy<JsonElement> ExpectedJson = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("analysis", "expected.json"))).RootElement);

    public static JsonElement Expected => ExpectedJson.Value;

    public static JsonElement Bundle(string name) => Expected.GetProperty("bundles").GetProperty(name);

    public static string BundlePath(string name) => Fixtures.Path("analysis", name);

    public static EmbeddingBundle Load(string name) => EmbeddingBundle.Load(BundlePath(name));

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static readonly string[] GoodBundles = ["clusters", "empty_class", "singletons"];

    /// <summary>(bundle, metric, name) for every reference value of a measurement ("silhouette", "topology") in the fixtures.</summary>
    public static TheoryData<string, string, string> Cases(string measurement)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var b in GoodBundles)
            foreach (var metric in new[] { "cosine", "euclidean" })
                foreach (var entry in Bundle(b).GetProperty(measurement).GetProperty(metric).EnumerateObject())
                    data.Add(b, metric, entry.Name);
        return data;
    }
}
