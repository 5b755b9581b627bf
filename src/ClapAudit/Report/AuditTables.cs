using System.Globalization;
using ClapAudit.Analysis;

namespace ClapAudit.Report;

/// <summary>
/// The report's tables of the reviewer's audit (issue 13), one method per table (the intervals sit in Tables 1-2's cells): the backbone ceiling,
/// alignment, per-fold spread, the correlations' three statistics, and each setup's per-class view.
/// </summary>
public static class AuditTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double? v) => v is double d && double.IsFinite(d) ? d.ToString("0.000", Inv) : "-";
    private static string P(double? v) => v is double d ? d.ToString("0.####", Inv) : "-";

    public static IEnumerable<ReportTable> All(IReadOnlyList<SetupOutcome> setups, IReadOnlyDictionary<string, CorrelationEntry> correlations)
    {
        var measured = setups.Where(s => s.Audit is not null).Select(s => (s.Setup.Label, Audit: s.Audit!)).ToList();
        if (measured.Count == 0) yield break;
        yield return Ceiling(measured);
        yield return AlignmentTable(measured);
        if (measured.Any(m => m.Audit.PerFold is not null)) yield return PerFold(measured);
        yield return Correlations(correlations);
        foreach (var (label, audit) in measured) yield return PerClass(label, audit);
    }

    /// <summary>The paper's thesis in one table: zero-shot against what supervised probes get on x_a and E_a.</summary>
    public static ReportTable Ceiling(IReadOnlyList<(string Label, BundleAudit Audit)> measured) => new(
        "Backbone ceiling: zero-shot vs supervised probes",
        ["setup", "zero-shot top-1", "k-NN E_a", "linear E_a", "k-NN x_a", "linear x_a", "zero-shot / linear E_a"],
        measured.Select(m => (IReadOnlyList<string>)[m.Label, F(m.Audit.ZeroShot?.Top1), F(m.Audit.Probe.Knn.Audio?.Top1),
            F(m.Audit.Probe.Linear.Audio?.Top1), F(m.Audit.Probe.Knn.AudioBackbone?.Top1), F(m.Audit.Probe.Linear.AudioBackbone?.Top1),
            F(m.Audit.Probe.ZeroShotShare)]).ToList())
    {
        Note = "Leave-one-out k-NN (majority of the k nearest other items) and a multinomial logistic regression (C = 1, z-scored, " +
               "cross-validated by folds.npy or 5 stratified folds) trained with the labels on the same embeddings: what the " +
               "representation makes separable. A zero-shot share near 1 means the text side adds nothing beyond the audio embedding's own separability.",
    };

    public static ReportTable AlignmentTable(IReadOnlyList<(string Label, BundleAudit Audit)> measured) => new(
        "Alignment between representations",
        ["setup", "CKA x_a vs E_a (items)", "mutual k-NN x_a vs E_a", "CKA x_t vs E_t (classes)", "CKA E_a vs E_t (class means)"],
        measured.Select(m => (IReadOnlyList<string>)[m.Label, F(m.Audit.Alignment.AudioBackboneVsAudio?.Cka),
            F(m.Audit.Alignment.AudioBackboneVsAudio?.MutualKnn), F(m.Audit.Alignment.TextBackboneVsText?.Cka),
            F(m.Audit.Alignment.AudioVsText?.Cka)]).ToList())
    {
        Note = $"Linear CKA (Kornblith et al. 2019) and mutual k-NN with k = {Alignment.MutualK} (Huh et al. 2024); 1 = the same geometry.",
    };

    public static ReportTable PerFold(IReadOnlyList<(string Label, BundleAudit Audit)> measured)
    {
        var folds = measured.SelectMany(m => m.Audit.PerFold?.Folds.Select(f => f.Fold) ?? []).Distinct().Order().ToList();
        return new ReportTable("Zero-shot top-1 per fold",
            ["setup", .. folds.Select(f => $"fold {f}"), "mean", "std"],
            measured.Select(m => (IReadOnlyList<string>)[m.Label,
                .. folds.Select(f => F(m.Audit.PerFold?.Folds.FirstOrDefault(x => x.Fold == f)?.Top1)),
                F(m.Audit.PerFold?.Mean), F(m.Audit.PerFold?.Std)]).ToList())
        { Note = "The spread across the dataset's folds (folds.npy); std is the population standard deviation." };
    }

    public static ReportTable Correlations(IReadOnlyDictionary<string, CorrelationEntry> correlations) => new(
        "Correlations: which p to trust",
        ["pair", "n", "rho", "p (permutation)", "p (t-test)", "Spearman"],
        correlations.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value.N.ToString(Inv), F(kv.Value.Rho), P(kv.Value.PPermutation),
            P(kv.Value.P), F(kv.Value.Spearman)]).ToList())
    {
        Note = "The report leads with the permutation p (exact over all n! pairings for n <= 8): with six setups the t-test's " +
               "assumption of normal data cannot be checked, while the permutation test assumes only that the pairing is exchangeable " +
               "under no correlation. Spearman's rho is the correlation of the ranks.",
    };

    public static ReportTable PerClass(string label, BundleAudit audit) => new(
        $"Per class, {label} (sorted by zero-shot accuracy)",
        ["class", "n", "top-1", "silhouette E_a", "confused with", "nearest class in E_t"],
        audit.PerClass.OrderBy(c => c.Top1 ?? double.PositiveInfinity).ThenBy(c => c.Index)
            .Select(c => (IReadOnlyList<string>)[c.Class, c.N.ToString(Inv), F(c.Top1), F(c.SilhouetteAudio), c.ConfusedWith ?? "-", c.TextNeighbour ?? "-"]).ToList());
}
