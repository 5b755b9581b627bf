using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Tests.Report;

namespace ClapAudit.Tests.Evaluation;

/// <summary>Bundles of <c>embed --backbones-only</c>: x_a, x_t, labels, classes, and no E_a/E_t.</summary>
public class BackboneOnlyBundleTests
{
    [Fact]
    public void LoadsWithoutJointEmbeddingsAndTheAuditSkipsWhatNeedsThem()
    {
        using var dir = Fixtures.TempDir();
        SyntheticGrid.WriteBundle(dir.Path, 1.5, 10, 16, 7, backboneOnly: true);
        Assert.False(File.Exists(dir.File("audio.npy")));
        var b = EmbeddingBundle.Load(dir.Path);
        Assert.True(b.IsBackboneOnly);
        Assert.Null(b.Audio);
        Assert.Null(b.Text);
        Assert.Equal(80, b.ItemCount);
        Assert.Equal((80, 24), (b.AudioBackbone!.Rows, b.AudioBackbone.Columns));
        Assert.Equal((8, 20), (b.TextBackbone!.Rows, b.TextBackbone.Columns));

        var audit = EmbeddingAudit.Run(b);
        Assert.Null(audit.ZeroShot);
        Assert.Null(audit.Silhouette.Audio);
        Assert.Equal(Silhouette.Score(b.AudioBackbone, b.Labels), audit.Silhouette.AudioBackbone);
        Assert.Equal(0, audit.Topology.Count);
        const string why = "backbone-only bundle (no audio.npy/text.npy)";
        Assert.Equal([$"zero_shot: {why}", $"silhouette.audio: {why}", $"topology.audio_backbone_vs_audio: {why}",
            $"topology.text_backbone_vs_text: {why}", $"topology.audio_vs_text: {why}", "probe.audio: no audio.npy", "per_fold: no folds.npy",
            "alignment.audio_backbone_vs_audio: needs audio.npy and audio_backbone.npy", "alignment.text_backbone_vs_text: needs text.npy and text_backbone.npy",
            "alignment.audio_vs_text: needs audio.npy and text.npy"], audit.Skipped);
        Assert.NotNull(audit.Probe.Knn.AudioBackbone);
        Assert.Null(audit.Probe.ZeroShotShare);
    }

    [Fact]
    public void BackboneOnlyBundlesDoNotCountInCorrelations()
    {
        using var dir = Fixtures.TempDir();
        var audits = new List<BundleAudit>();
        for (int i = 0; i < 3; i++)
        {
            string f = dir.File($"b{i}");
            SyntheticGrid.WriteBundle(f, 1 + i, 10, 16, i, backboneOnly: i == 0);
            audits.Add(EmbeddingAudit.Run(EmbeddingBundle.Load(f)));
        }
        var report = CrossBundleCorrelations.Compute(audits);
        Assert.DoesNotContain(report.Correlations.Keys, k => k.Contains("top1"));
        Assert.Contains("correlations.top1_vs_silhouette_audio: only 2 bundles have both values (3 needed)", report.Skipped);
        // The backbone-only bundle has x_a but no E_a: two bundles are left for E_a vs x_a.
        Assert.Contains("correlations.silhouette_audio_vs_silhouette_audio_backbone: only 2 bundles have both values (3 needed)", report.Skipped);
    }

    [Theory]
    [InlineData("text.npy", "audio.npy: file not found")]
    [InlineData("audio.npy", "text.npy: file not found")]
    public void JointEmbeddingsComeTogether(string keep, string message)
    {
        var x = new ClapAudit.Evaluation.EmbeddingMatrix([1, 0, 0, 1], 2, 2);
        Assert.Contains("b/text.npy: missing, but b/audio.npy is present",
            Assert.Throws<ClapAuditException>(() => new EmbeddingBundle("b", x, null, [0, 1], ["p", "q"], x)).Message.Replace('\\', '/'));
        using var dir = Fixtures.TempDir();
        SyntheticGrid.WriteBundle(dir.Path, 1.5, 5, 16, 7, backboneOnly: false);
        File.Delete(dir.File(keep == "text.npy" ? "audio.npy" : "text.npy"));
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingBundle.Load(dir.Path));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ABundleWithNeitherEaNorXaIsRejected()
    {
        using var dir = Fixtures.TempDir();
        SyntheticGrid.WriteBundle(dir.Path, 1.5, 5, 16, 7, backboneOnly: true);
        File.Delete(dir.File("audio_backbone.npy"));
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingBundle.Load(dir.Path));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("audio.npy: file not found", e.Message);
        var m = Assert.Throws<ClapAuditException>(() => new EmbeddingBundle("b", null, null, [0], ["x"]));
        Assert.Contains("no audio_backbone.npy either", m.Message);
    }
}
