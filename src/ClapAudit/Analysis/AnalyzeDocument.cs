#pragma warning disable CS1573 // records document only the parameters that need a word
namespace ClapAudit.Analysis;

/// <summary>
/// What <c>analyze --json</c> writes (docs/schema/analyze.schema.json): one <see cref="BundleAudit"/> per bundle,
/// the correlations across them, and the settings. Serialised only by <see cref="Report.ResultJson"/>.
/// </summary>
public sealed record AnalyzeDocument(
    int Version,
    IReadOnlyList<BundleAudit> Bundles,
    IReadOnlyDictionary<string, CorrelationEntry> Correlations,
    IReadOnlyList<string> Skipped,
    AuditSettings Settings)
{
    /// <summary>The format version of analyze's JSON and of report.json (2: the shared audit record).</summary>
    public const int CurrentVersion = 2;
}

/// <summary>The settings an audit ran with, as analyze's JSON and report.json record them.</summary>
/// <param name="Tsne">Whether t-SNE maps were drawn (analyze --tsne; report without --no-tsne).</param>
/// <param name="ProbeK">Neighbours of the k-NN probe; null: probes off (--no-probe).</param>
/// <param name="Bootstrap">Resamples of the intervals (0: none).</param>
public sealed record AuditSettings(DistanceMetric Metric, int KMin, int KMax, int Seed, bool Tsne, int? ProbeK, int Bootstrap)
{
    public string TsnePerplexity { get; init; } = "30, or (n - 1) / 3 when n <= 30 points";
    /// <summary>Neighbours of every map's trustworthiness.</summary>
    public int TrustworthinessNeighbors { get; init; } = TsneMaps.TrustworthinessNeighbors;
    /// <summary>Neighbours of the mutual k-NN alignment.</summary>
    public int MutualKnnK { get; init; } = Alignment.MutualK;

    public static AuditSettings From(AuditOptions options, int seed, bool tsne) =>
        new(options.Metric, options.KMin, options.KMax, seed, tsne, options.Probes ? options.ProbeK : null, options.Bootstrap);
}

/// <summary>
/// One correlation across bundles or setups, as both analyze's JSON and report.json give it: the two measures,
/// the points (with each point's label: a setup or a bundle path), Pearson's rho and p, and, in the report,
/// the scatter plot and the paper's value. Rho and P are null with a <see cref="Note"/> when not computed.
/// </summary>
public sealed record CorrelationEntry(string X, string Y, int N, IReadOnlyList<string> Labels,
    IReadOnlyList<double> XValues, IReadOnlyList<double> YValues)
{
    public double? Rho { get; init; }
    /// <summary>The t-test's two-sided p (scipy.stats.pearsonr), which assumes normal data.</summary>
    public double? P { get; init; }
    /// <summary>Spearman's rank correlation (scipy.stats.spearmanr).</summary>
    public double? Spearman { get; init; }
    /// <summary>The permutation p of Pearson's r: exact over all n! pairings for n ≤ 8, else 100,000 seeded draws.</summary>
    public double? PPermutation { get; init; }
    public FigureFiles? Figure { get; init; }
    public PaperCorrelation? Paper { get; init; }
    public string? Note { get; init; }
}

/// <summary>A figure's two files, relative to the JSON file's folder.</summary>
public sealed record FigureFiles(string Png, string Svg);

/// <summary>The paper's published value of a correlation: rho and p, or only a bound on p.</summary>
public sealed record PaperCorrelation(double Rho, double? P = null, double? PBelow = null);
