using System.Text.Json.Serialization;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// Everything measured on one bundle: the one record that <c>analyze --json</c> writes as <c>bundles[i]</c> and
/// report.json as <c>setups[i].audit</c> (docs/schema/bundle-audit.schema.json; serialised only by
/// <see cref="Report.ResultJson"/>). A measurement not made is null and <see cref="Skipped"/> says why.
/// </summary>
public sealed record BundleAudit
{
    public required string Path { get; init; }
    [JsonPropertyName("n_items")] public required int ItemCount { get; init; }
    [JsonPropertyName("n_classes")] public required int ClassCount { get; init; }
    /// <summary>Null for a backbone-only bundle (no E_a/E_t; the reason is in Skipped).</summary>
    public ZeroShotResult? ZeroShot { get; init; }
    /// <summary>Mean silhouette of E_a and of x_a with the labels.</summary>
    public SilhouetteScores Silhouette { get; init; } = new(null, null);
    /// <summary>Topological similarity of the class-level clouds.</summary>
    public TopologyComparisons Topology { get; init; } = new(null, null, null);
    /// <summary>Supervised ceilings on the same embeddings: k-NN and linear probes, and zero-shot's share of the ceiling.</summary>
    public ProbeResults Probe { get; init; } = ProbeResults.None;
    /// <summary>95% stratified bootstrap intervals; null in a retrieval-only entry.</summary>
    public ConfidenceIntervals? Ci { get; init; }
    /// <summary>Zero-shot top-1 per fold of folds.npy; null without folds.npy (or with one fold only).</summary>
    public FoldResults? PerFold { get; init; }
    /// <summary>One entry per class with items, in class-index order.</summary>
    public IReadOnlyList<ClassResult> PerClass { get; init; } = [];
    /// <summary>Linear CKA and mutual k-NN between representations.</summary>
    public AlignmentComparisons Alignment { get; init; } = new(null, null, null);
    /// <summary>The 2-D maps (analyze --tsne, the report's figures); null when none were drawn.</summary>
    public TsneMapSet? Tsne { get; init; }
    /// <summary>Text-audio retrieval of a retrieval bundle (caption_audio.npy); null otherwise.</summary>
    public RetrievalResult? Retrieval { get; init; }
    /// <summary>Classes with no items, left out of every class-level cloud.</summary>
    public IReadOnlyList<string> EmptyClasses { get; init; } = [];
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>The entry of a retrieval-only bundle (no labels.npy): only <see cref="Retrieval"/> is measured.</summary>
    public static BundleAudit RetrievalOnly(string path, RetrievalResult retrieval) => new()
    {
        Path = path,
        ItemCount = retrieval.Audio,
        ClassCount = 0,
        Retrieval = retrieval,
        Skipped = ["audit: retrieval bundle without labels.npy (retrieval metrics only)"],
    };
}

/// <summary>The k-NN probe of E_a and x_a; null: not measured.</summary>
public sealed record KnnProbes(KnnProbeResult? Audio, KnnProbeResult? AudioBackbone);

/// <summary>The linear probe of E_a and x_a; null: not measured.</summary>
public sealed record LinearProbes(LinearProbeResult? Audio, LinearProbeResult? AudioBackbone);

/// <summary>The supervised ceilings; ZeroShotShare = zero-shot top-1 / the linear probe's top-1 on E_a.</summary>
public sealed record ProbeResults(KnnProbes Knn, LinearProbes Linear, double? ZeroShotShare)
{
    public static readonly ProbeResults None = new(new KnnProbes(null, null), new LinearProbes(null, null), null);
}

/// <summary>Mean silhouette coefficients by representation; null: not measured.</summary>
public sealed record SilhouetteScores(double? Audio, double? AudioBackbone)
{
    public double? this[Representation r] => r switch
    {
        Representation.Audio => Audio,
        Representation.AudioBackbone => AudioBackbone,
        _ => null,
    };
}

/// <summary>The three neighbourhood comparisons of the paper's section 3.2; null: not measured.</summary>
public sealed record TopologyComparisons(TopologyResult? AudioBackboneVsAudio, TopologyResult? TextBackboneVsText, TopologyResult? AudioVsText)
{
    /// <summary>The JSON names of the comparisons, in report order.</summary>
    public static readonly IReadOnlyList<string> Names =
        [EmbeddingAudit.AudioBackboneVsAudio, EmbeddingAudit.TextBackboneVsText, EmbeddingAudit.AudioVsText];

    /// <summary>A comparison by its JSON name (<see cref="Names"/>).</summary>
    public TopologyResult? this[string name] => name switch
    {
        EmbeddingAudit.AudioBackboneVsAudio => AudioBackboneVsAudio,
        EmbeddingAudit.TextBackboneVsText => TextBackboneVsText,
        EmbeddingAudit.AudioVsText => AudioVsText,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a topology comparison"),
    };

    [JsonIgnore] public int Count => Names.Count(n => this[n] is not null);
}

/// <summary>The t-SNE maps of one bundle, by representation; null: not drawn.</summary>
public sealed record TsneMapSet(TsneMapFile? Audio, TsneMapFile? AudioBackbone, TsneMapFile? Text, TsneMapFile? TextBackbone)
{
    public static readonly TsneMapSet None = new(null, null, null, null);

    public TsneMapFile? this[Representation r] => r switch
    {
        Representation.Audio => Audio,
        Representation.AudioBackbone => AudioBackbone,
        Representation.Text => Text,
        _ => TextBackbone,
    };

    public TsneMapSet With(Representation r, TsneMapFile map) => r switch
    {
        Representation.Audio => this with { Audio = map },
        Representation.AudioBackbone => this with { AudioBackbone = map },
        Representation.Text => this with { Text = map },
        _ => this with { TextBackbone = map },
    };
}

/// <summary>
/// One 2-D t-SNE map and its files (paths relative to the JSON file's folder): the coordinates (<c>csv</c>,
/// analyze only), the plot, the fit, and its trustworthiness (scikit-learn's, 5 neighbours, the audit's metric).
/// </summary>
public sealed record TsneMapFile(string? Csv, string Png, string Svg, int Points, double Perplexity, double KlDivergence,
    int Iterations, double? Trustworthiness);
