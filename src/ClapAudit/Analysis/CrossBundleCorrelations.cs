namespace ClapAudit.Analysis;

/// <summary>Correlations across bundles; pairs that could not be computed are named in <see cref="Skipped"/>.</summary>
public sealed record CorrelationReport(IReadOnlyDictionary<string, PearsonResult> Correlations, IReadOnlyList<string> Skipped);

/// <summary>
/// The paper's two findings across models: top-1 accuracy vs the silhouette of E_a (rho = 0.97 in the paper),
/// and log(top-1) vs the topological similarity of E_a and E_t (rho = 0.85); plus a few companions.
/// Each needs at least three bundles that have both values.
/// </summary>
public static class CrossBundleCorrelations
{
    public const int MinimumBundles = 3;

    public static CorrelationReport Compute(IReadOnlyList<BundleAudit> audits)
    {
        var result = new Dictionary<string, PearsonResult>();
        var skipped = new List<string>();
        if (audits.Count < MinimumBundles)
        {
            skipped.Add($"correlations: need at least {MinimumBundles} bundles, got {audits.Count}");
            return new CorrelationReport(result, skipped);
        }

        static double Top1(BundleAudit a) => a.ZeroShot.Top1;
        static double? LogTop1(BundleAudit a) => a.ZeroShot.Top1 > 0 ? Math.Log(a.ZeroShot.Top1) : null;
        static Func<BundleAudit, double?> Sil(string key) => a => a.Silhouette.TryGetValue(key, out var s) ? s : null;
        static Func<BundleAudit, double?> Topo(string key) => a => a.Topology.TryGetValue(key, out var t) ? t.S : null;

        void Add(string name, Func<BundleAudit, double?> fx, Func<BundleAudit, double?> fy)
        {
            var pairs = audits.Select(a => (X: fx(a), Y: fy(a))).Where(p => p.X is not null && p.Y is not null).ToList();
            if (pairs.Count < MinimumBundles)
            {
                skipped.Add($"correlations.{name}: only {pairs.Count} bundles have both values ({MinimumBundles} needed)");
                return;
            }
            result[name] = PearsonCorrelation.Compute(pairs.Select(p => p.X!.Value).ToList(), pairs.Select(p => p.Y!.Value).ToList());
        }

        Add("top1_vs_silhouette_audio", a => Top1(a), Sil("audio"));
        Add("log_top1_vs_topology_audio_vs_text", LogTop1, Topo(EmbeddingAudit.AudioVsText));
        Add("top1_vs_silhouette_audio_backbone", a => Top1(a), Sil("audio_backbone"));
        Add("top1_vs_topology_audio_vs_text", a => Top1(a), Topo(EmbeddingAudit.AudioVsText));
        Add("silhouette_audio_vs_silhouette_audio_backbone", Sil("audio"), Sil("audio_backbone"));
        return new CorrelationReport(result, skipped);
    }
}
