using ClapAudit.Analysis;

namespace ClapAudit.Tests.Analysis;

public class EmbeddingAuditTests
{
    [Fact]
    public void EmptyClassesAreLeftOutAndNamedAndMissingFilesAreSkipped()
    {
        var audit = EmbeddingAudit.Run(AnalysisFixtures.Load("empty_class"));
        Assert.Equal(["clock tick"], audit.EmptyClasses);
        Assert.Equal(9, audit.Topology[EmbeddingAudit.AudioVsText].Points);
        Assert.False(audit.Silhouette.ContainsKey("audio_backbone"));
        Assert.Contains(audit.Skipped, s => s.StartsWith("silhouette.audio_backbone"));
        Assert.Contains(audit.Skipped, s => s.StartsWith("topology.audio_backbone_vs_audio"));
        Assert.Contains(audit.Skipped, s => s.StartsWith("topology.text_backbone_vs_text"));
    }

    [Fact]
    public void FullBundleHasEveryMeasurementAndNothingSkipped()
    {
        var audit = EmbeddingAudit.Run(AnalysisFixtures.Load("clusters"));
        Assert.Empty(audit.Skipped);
        Assert.Equal(3, audit.Topology.Count);
        Assert.Equal(2, audit.Silhouette.Count);
        var expected = AnalysisFixtures.Bundle("clusters").GetProperty("silhouette").GetProperty("cosine");
        Assert.Equal(expected.GetProperty("audio_backbone").GetDouble(), audit.Silhouette["audio_backbone"], 1e-6);
    }

    [Fact]
    public void CorrelationsNeedThreeBundles()
    {
        var audits = new[] { "clusters", "singletons" }.Select(n => EmbeddingAudit.Run(AnalysisFixtures.Load(n))).ToList();
        var report = CrossBundleCorrelations.Compute(audits);
        Assert.Empty(report.Correlations);
        Assert.Equal(["correlations: need at least 3 bundles, got 2"], report.Skipped);
    }
}
