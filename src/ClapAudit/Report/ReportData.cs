namespace ClapAudit.Report;

/// <summary>Topological similarity of one comparison in one setup (Table 3 cell).</summary>
public sealed record TopologyCell(double S, int K, double Chance, double ChanceAdjusted);

/// <summary>Everything measured for one of the six setups; null means "not measured" (shown as missing, never as zero).</summary>
public sealed record ReportSetup(string Training, string PreTraining)
{
    public double? Top1 { get; init; }
    public double? Top5 { get; init; }
    public double? SilhouetteAudio { get; init; }
    public double? SilhouetteAudioBackbone { get; init; }
    /// <summary>95% bootstrap intervals [lo, hi] shown beside Tables 1-2's cells; null when not measured.</summary>
    public double[]? Top1Interval { get; init; }
    public double[]? SilhouetteAudioInterval { get; init; }
    public double[]? SilhouetteAudioBackboneInterval { get; init; }
    public TopologyCell? AudioBackboneVsAudio { get; init; }
    public TopologyCell? TextBackboneVsText { get; init; }
    public TopologyCell? AudioVsText { get; init; }
    /// <summary>PNG of the t-SNE map of E_a (Figure 2 panel).</summary>
    public string? AudioMapImage { get; init; }
    /// <summary>PNG of the t-SNE map of E_t (Figure 3 uses clean/clean's).</summary>
    public string? TextMapImage { get; init; }
    public string? BundlePath { get; init; }
    /// <summary>The run's settings as JSON (shown folded in the report).</summary>
    public string? SettingsJson { get; init; }
    public string Label => $"{Training}/{PreTraining}";
}

/// <summary>A Pearson correlation across setups with its scatter plot (section 3's two findings and more).</summary>
public sealed record ReportCorrelation(string Title, string XLabel, string YLabel, int N)
{
    public double? Rho { get; init; }
    public double? P { get; init; }
    public string? ScatterImage { get; init; }
    /// <summary>Why it could not be computed (e.g. fewer than three setups).</summary>
    public string? Note { get; init; }
    public string? PaperValue { get; init; }
}

/// <summary>A figure embedded in the report.</summary>
public sealed record ReportFigure(string Caption, string ImagePath);

/// <summary>A plain table (leakage report, versions).</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>What the table shows and how it was measured, under its title.</summary>
    public string? Note { get; init; }
}

/// <summary>All the report shows; built by the report builder from a grid or from bundles.</summary>
public sealed record ReportData
{
    public string Title { get; init; } = "ClapAudit report";
    public string? Subtitle { get; init; }
    public int ClassCount { get; init; }
    public IReadOnlyList<ReportSetup> Setups { get; init; } = [];
    public IReadOnlyList<ReportCorrelation> Correlations { get; init; } = [];
    /// <summary>Figure 4: backbone-only maps (x_a dirty pre-training, x_a clean pre-training, x_t).</summary>
    public IReadOnlyList<ReportFigure> BackboneMaps { get; init; } = [];
    /// <summary>The zero-shot confusion matrix of each measured setup.</summary>
    public IReadOnlyList<ReportFigure> ConfusionMaps { get; init; } = [];
    public IReadOnlyList<ReportTable> Tables { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>The paper's orderings (Tables 1-2) checked on these setups.</summary>
    public IReadOnlyList<OrderingCheck> Orderings { get; init; } = [];
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>Distance used by the silhouettes, topology and maps ("cosine" or "euclidean").</summary>
    public string Metric { get; init; } = "cosine";
    /// <summary>Why no t-SNE maps are shown (e.g. "not drawn (--no-tsne)"); null when they were drawn.</summary>
    public string? MapsNote { get; init; }
    /// <summary>Show the paper's values beside the user's (off for a set of bundles that are not the six setups).</summary>
    public bool ShowPaperReference { get; init; } = true;
}
