using ClapAudit.Analysis.Tsne;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// The t-SNE settings every 2-D map of ClapAudit uses (analyze and the report): scikit-learn's defaults
/// with the audit's metric and seed, and the perplexity lowered when there are few points.
/// </summary>
public static class TsneMaps
{
    /// <summary>Fewer points than this make no useful map; callers skip them and say so.</summary>
    public const int MinimumPoints = 4;

    /// <summary>scikit-learn requires perplexity &lt; n; keep its default 30 whenever the data allow, else (n - 1) / 3.</summary>
    public static double PerplexityFor(int n) => n > 30 ? 30 : Math.Max(1.0, (n - 1) / 3.0);

    public static TsneOptions OptionsFor(int n, DistanceMetric metric, int seed) =>
        new() { Metric = metric.Name(), Seed = seed, Perplexity = PerplexityFor(n) };

    /// <summary>Neighbours of the trustworthiness of every map (scikit-learn's default).</summary>
    public const int TrustworthinessNeighbors = 5;

    /// <summary>
    /// How faithful a fitted map is: <see cref="Trustworthiness"/> with 5 neighbours and the audit's metric in the
    /// input space (scikit-learn's <c>trustworthiness(X, Y, n_neighbors=5, metric=...)</c>); null when the map has
    /// too few points for 5 neighbours (scikit-learn needs 5 &lt; n / 2). Time O(n² (d + k)), memory O(n) per worker.
    /// </summary>
    public static double? TrustworthinessOf(EmbeddingMatrix x, TsneResult map, DistanceMetric metric) =>
        TrustworthinessNeighbors < x.Rows / 2.0
            ? Trustworthiness.Compute(x.Values, map.Embedding, x.Rows, x.Columns, 2, TrustworthinessNeighbors, metric.Name())
            : null;

    /// <summary>The title of a map's plot: what it shows, the metric, and its trustworthiness when known.</summary>
    public static string Title(string what, DistanceMetric metric, double? trustworthiness) =>
        $"{what}: t-SNE ({metric.Name()})" + (trustworthiness is double t
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", trustworthiness {t:0.000}") : "");

    /// <summary>Fits a 2-D map of the rows of <paramref name="x"/>.</summary>
    public static TsneResult Fit(EmbeddingMatrix x, DistanceMetric metric, int seed, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Common.Guard.Data(x.Rows >= MinimumPoints, $"t-SNE: needs at least {MinimumPoints} points, got {x.Rows}");
        return Tsne.Tsne.Fit(x.Values, x.Rows, x.Columns, OptionsFor(x.Rows, metric, seed), progress, cancellationToken);
    }
}
