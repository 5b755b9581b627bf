using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// `analyze` on the bundles tools/export/msclap_bundle.py and laion_clap_bundle.py wrote from the
/// stand-ins (tests/fixtures/export, tools/export/test_exporters.py): every measurement a full bundle
/// allows is made, with scikit-learn's silhouettes and NumPy's top-1 as references, and the folds are
/// ESC-50's (the first field of each file name).
/// </summary>
public class ExporterBundleTests
{
    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("export", "expected.json"))).RootElement;

    [Theory]
    [InlineData("msclap")]
    [InlineData("laion_clap")]
    public void AnalyzeMakesEveryMeasurementOnAnExportedBundle(string name)
    {
        string bundle = Fixtures.Path("export", name);
        var expected = Expected.GetProperty(name);
        var (code, output, err) = CliTestHost.Run("analyze", bundle, "--json", "-");
        Assert.True(code == 0, err);

        var b = JsonDocument.Parse(output).RootElement.GetProperty("bundles")[0];
        Assert.Equal(expected.GetProperty("n_items").GetInt32(), b.GetProperty("n_items").GetInt32());
        Assert.Equal(expected.GetProperty("n_classes").GetInt32(), b.GetProperty("n_classes").GetInt32());
        Assert.Equal(expected.GetProperty("top1").GetDouble(),
            b.GetProperty("zero_shot").GetProperty("top1").GetDouble(), 12);
        foreach (var s in expected.GetProperty("silhouette").EnumerateObject())
            Assert.Equal(s.Value.GetDouble(), b.GetProperty("silhouette").GetProperty(s.Name).GetDouble(), 1e-6);
        foreach (var comparison in new[] { "audio_backbone_vs_audio", "text_backbone_vs_text", "audio_vs_text" })
        {
            var t = b.GetProperty("topology").GetProperty(comparison);
            Assert.Equal(5, t.GetProperty("m").GetInt32());
            Assert.Equal(4, t.GetProperty("curve").GetArrayLength());
        }
        Assert.Empty(b.GetProperty("skipped").EnumerateArray());

        var folds = NpyArray.Read(Path.Combine(bundle, "folds.npy")).ToInt64Array("folds.npy");
        var fromNames = File.ReadAllLines(Path.Combine(bundle, "items.txt")).Select(f => long.Parse(f.Split('-')[0]));
        Assert.Equal(expected.GetProperty("folds").EnumerateArray().Select(f => f.GetInt64()), folds);
        Assert.Equal(fromNames, folds);
    }
}
