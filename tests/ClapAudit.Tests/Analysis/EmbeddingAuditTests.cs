using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Tests.Analysis;

public class EmbeddingAuditTests
{
    [Fact]
    public void EmptyClassesAreLeftOutAndNamedAndMissingFilesAreSkipped()
    {
        var audit = EmbeddingAudit.Run(AnalysisFixtures.Load("empty_class"));
        Assert.Equal(["clock tick"], audit.EmptyClasses);
        Assert.Equal(9, audit.Topology.AudioVsText!.Points);
        Assert.Null(audit.Silhouette.AudioBackbone);
        Assert.Contains(audit.Skipped, s => s.StartsWith("silhouette.audio_backbone"));
        Assert.Contains(audit.Skipped, s => s.StartsWith("topology.audio_backbone_vs_audio"));
        Assert.Contains(audit.Skipped, s => s.StartsWith("topology.text_backbone_vs_text"));
    }

    [Fact]
    public void FullBundleWithoutFoldsNpySkipsOnlyThePerFoldView()
    {
        var audit = EmbeddingAudit.Run(AnalysisFixtures.Load("clusters"));
        Assert.Equal(["per_fold: no folds.npy"], audit.Skipped);
        Assert.Equal(3, audit.Topology.Count);
        Assert.NotNull(audit.Silhouette.Audio);
        Assert.NotNull(audit.Silhouette.AudioBackbone);
        var expected = AnalysisFixtures.Bundle("clusters").GetProperty("silhouette").GetProperty("cosine");
        Assert.Equal(expected.GetProperty("audio_backbone").GetDouble(), audit.Silhouette.AudioBackbone!.Value, 1e-6);
    }

    [Fact]
    public void CorrelationsNeedThreeBundles()
    {
        var audits = new[] { "clusters", "singletons" }.Select(n => EmbeddingAudit.Run(AnalysisFixtures.Load(n))).ToList();
        var report = CrossBundleCorrelations.Compute(audits);
        Assert.Empty(report.Correlations);
        Assert.Equal(["correlations: need at least 3 bundles, got 2"], report.Skipped);
    }

    [Fact]
    public void ASingleLabelIsAnErrorNamingTheBundleFiles()
    {
        var audio = new EmbeddingMatrix([1, 0, 0, 1, 1, 1], 3, 2);
        var text = new EmbeddingMatrix([1, 0, 0, 1], 2, 2);
        var bundle = new EmbeddingBundle("b", audio, text, [1, 1, 1], ["x", "y"]);
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingAudit.Run(bundle));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.StartsWith(System.IO.Path.Combine("b", "audio.npy") + " with labels.npy: silhouette: number of labels is 1", e.Message);
    }
}
