namespace ClapAudit.Analysis;

/// <summary>Correlations across bundles; pairs that could not be computed are named in <see cref="Skipped"/>.</summary>
public sealed record CorrelationReport(IReadOnlyDictionary<string, PearsonResult> Correlations, IReadOnlyList<string> Skipped);

/// <summary>One correlated pair of measurements: how to read x and y from an audit (null: not measured there).</summary>
public sealed record CorrelationPair(string Name, string XLabel, string YLabel, Func<BundleAudit, double?> X, Func<BundleAudit, double?> Y);

/// <summary>
/// The paper's two findings across models: top-1 accuracy vs the silhouette of E_a (rho = 0.97 in the paper),
/// and log(top-1) vs the topological similarity of E_a and E_t (rho = 0.85); plus a few companions.
/// Each needs at least three bundles that have both values.
/// </summary>
public static class CrossBundleCorrelations
{
    public const int MinimumBundles = 3;
    public const string Top1VsSilhouetteAudio = "top1_vs_silhouette_audio";
    public const string LogTop1VsTopologyAudioVsText = "log_top1_vs_topology_audio_vs_text";

    private static double? Top1(BundleAudit a) => a.ZeroShot?.Top1;
    private static double? LogTop1(BundleAudit a) => a.ZeroShot is { Top1: > 0 } z ? Math.Log(z.Top1) : null;
    private static Func<BundleAudit, double?> Sil(Representation r) => a => a.Silhouette[r];
    private static Func<BundleAudit, double?> Topo(string name) => a => a.Topology[name]?.S;

    /// <summary>The pairs in report order: the paper's two first. x is the separability measure, y the accuracy.</summary>
    public static readonly IReadOnlyList<CorrelationPair> Pairs =
    [
        new(Top1VsSilhouetteAudio, "silhouette of E_a", "top-1 accuracy", Sil(Representation.Audio), Top1),
        new(LogTop1VsTopologyAudioVsText, "S(E_a, E_t)", "log top-1 accuracy", Topo(EmbeddingAudit.AudioVsText), LogTop1),
        new("top1_vs_silhouette_audio_backbone", "silhouette of x_a", "top-1 accuracy", Sil(Representation.AudioBackbone), Top1),
        new("top1_vs_topology_audio_vs_text", "S(E_a, E_t)", "top-1 accuracy", Topo(EmbeddingAudit.AudioVsText), Top1),
        new("silhouette_audio_vs_silhouette_audio_backbone", "silhouette of x_a", "silhouette of E_a", Sil(Representation.AudioBackbone), Sil(Representation.Audio)),
    ];

    public static CorrelationReport Compute(IReadOnlyList<BundleAudit> audits)
    {
        var result = new Dictionary<string, PearsonResult>();
        var skipped = new List<string>();
        if (audits.Count < MinimumBundles)
        {
            skipped.Add($"correlations: need at least {MinimumBundles} bundles, got {audits.Count}");
            return new CorrelationReport(result, skipped);
        }
        foreach (var pair in Pairs)
        {
            var points = Points(pair, audits);
            if (points.Count < MinimumBundles)
            {
                skipped.Add($"correlations.{pair.Name}: only {points.Count} bundles have both values ({MinimumBundles} needed)");
                continue;
            }
            // Pearson is symmetric; the accuracy goes first as in the pair's name.
            var r = PearsonCorrelation.Compute(points.Select(p => p.Y).ToList(), points.Select(p => p.X).ToList());
            result[pair.Name] = r;
            if (double.IsNaN(r.Rho))
                skipped.Add($"correlations.{pair.Name}: {pair.YLabel} or {pair.XLabel} is the same in every bundle " +
                            "(Pearson's rho is undefined for a constant input, as in SciPy)");
        }
        return new CorrelationReport(result, skipped);
    }

    /// <summary>
    /// Every pair as a <see cref="CorrelationEntry"/> (report order), its points labelled by <paramref name="labels"/>
    /// (one per audit); pairs that <paramref name="report"/> did not compute get a note instead of rho and p.
    /// </summary>
    public static IReadOnlyDictionary<string, CorrelationEntry> Entries(IReadOnlyList<BundleAudit> audits, IReadOnlyList<string> labels,
        CorrelationReport report, int seed = 0)
    {
        var result = new Dictionary<string, CorrelationEntry>();
        foreach (var pair in Pairs)
        {
            var points = Points(pair, audits);
            var entry = new CorrelationEntry(pair.XLabel, pair.YLabel, points.Count, points.Select(p => labels[p.Index]).ToList(),
                points.Select(p => p.X).ToList(), points.Select(p => p.Y).ToList());
            result[pair.Name] = report.Correlations.TryGetValue(pair.Name, out var r)
                ? entry with
                {
                    Rho = Finite(r.Rho),
                    P = Finite(r.P),
                    Spearman = Finite(RankCorrelation.Spearman(entry.YValues, entry.XValues)),
                    PPermutation = Finite(RankCorrelation.PermutationP(entry.YValues, entry.XValues, seed)),
                }
                : entry with { Note = $"not computed: needs at least {MinimumBundles} bundles with both values (have {points.Count})" };
        }
        return result;
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>The (x, y) values of the audits that have both, with each audit's index in <paramref name="audits"/>.</summary>
    public static List<(int Index, double X, double Y)> Points(CorrelationPair pair, IReadOnlyList<BundleAudit> audits) =>
        audits.Select((a, i) => (Index: i, X: pair.X(a), Y: pair.Y(a)))
              .Where(p => p.X is not null && p.Y is not null)
              .Select(p => (p.Index, p.X!.Value, p.Y!.Value)).ToList();
}
